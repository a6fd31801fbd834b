/**
 * Risk checks per second on one core over a realistic mix: mostly everyday messages (greetings,
 * menu answers, questions), some risky ones, Vietnamese with and without diacritics, teen-speak and
 * English, short and long. Baseline in the same run: folding the same messages (NFC, diacritics,
 * lower case) with no matching, so the ratio is the cost of the detector in "fold" units.
 */
import { lexiconDetector } from '../core/risk/assess.js';
import { fold } from '../text/fold.js';
import type { BenchResult } from './run.js';

const EVERYDAY = [
  'xin chào', 'menu', '1', '2', 'cảm ơn bạn nhiều', 'tôi muốn biết quyền lợi của nạn nhân', 'tim nha tam lanh o ha noi',
  'Hello, what are my rights if my employer keeps my salary?', 'ok', 'mình muốn báo cáo một vụ việc', 'bạn ơi cho mình hỏi',
  'tư vấn pháp lý miễn phí ở đâu vậy ạ', 'em học lớp 10, muốn tìm việc làm thêm cuối tuần', 'thanks', 'dc r cam on nha',
  'Cho em hỏi công ty tuyển dụng đi Nhật có cần đóng phí không, họ bảo đóng 50 triệu trước rồi mới được đi, em thấy hơi lạ nên muốn hỏi thêm ạ',
];
const RISKY = [
  'cứu em với, em bị nhốt ở Campuchia', 'e bi nhot o cpc ko dc ve', 'họ giữ hộ chiếu của em', 'em muốn chết', 'help me they locked us in',
  'con tôi mất liên lạc từ khi sang Lào', 'em bị ép lừa đảo online, không đạt chỉ tiêu là bị đánh', 'tôi không bị đánh',
];

export default async function bench(): Promise<BenchResult> {
  const detector = lexiconDetector();
  // 85% everyday, 15% risky, as a hotline's inbound mix is mostly navigation and questions.
  const mix: string[] = [];
  for (let i = 0; i < 2000; i++) mix.push(i % 7 === 0 ? RISKY[i % RISKY.length]! : EVERYDAY[i % EVERYDAY.length]!);
  const rounds = Number(process.env.BENCH_RISK_ROUNDS ?? 50);
  let sink = 0;
  for (const m of mix) sink += detector.assess(m).matches.length; // warm-up (JIT)

  const baseStart = performance.now();
  for (let r = 0; r < rounds; r++) for (const m of mix) sink += fold(m).length;
  const foldsPerSecond = (rounds * mix.length) / ((performance.now() - baseStart) / 1000);

  const start = performance.now();
  for (let r = 0; r < rounds; r++) for (const m of mix) sink += detector.assess(m).matches.length;
  const checksPerSecond = (rounds * mix.length) / ((performance.now() - start) / 1000);
  if (sink < 0) console.log(sink);
  return {
    name: 'risk.assess',
    unit: 'checks/s',
    value: checksPerSecond,
    baseline: { name: 'fold only', value: foldsPerSecond },
    ratio: checksPerSecond / foldsPerSecond,
    notes: `${rounds * mix.length} messages, 15% risky, one core (goal ≥ 50,000 checks/s)`,
  };
}
