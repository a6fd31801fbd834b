/**
 * Risk checks per second on one core over a realistic mix: mostly everyday messages (greetings, menu
 * answers, questions), some risky ones, Vietnamese with and without diacritics, teen-speak and English,
 * short and long. The combined detector (rules + model) is measured against the rules alone in the same
 * run (goal: combined ≥ 10,000 checks/s). A second figure is the cost of one 10,000-character message
 * (goal ≤ 5 ms), the rules alone on the same message as baseline: both read bounded windows.
 */
import { rulesDetector } from '../core/risk/assess.js';
import { combineDetectors } from '../core/risk/detector.js';
import { defaultModel } from '../core/risk/model/model.js';
import type { RiskDetector } from '../core/risk/types.js';
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
const LONG_PART = 'Em kể từ đầu nha chị, em đi làm ở xưởng may được ba năm, lương ổn, sếp cũng tốt, cuối tuần em hay về quê thăm mẹ. ';

function perSecond(detector: RiskDetector, mix: string[], rounds: number): number {
  let sink = 0;
  const start = performance.now();
  for (let r = 0; r < rounds; r++) for (const m of mix) sink += detector.assess(m).matches.length;
  if (sink < 0) console.log(sink);
  return (rounds * mix.length) / ((performance.now() - start) / 1000);
}

function msPerMessage(detector: RiskDetector, text: string, times: number): number {
  let sink = 0;
  const start = performance.now();
  for (let i = 0; i < times; i++) sink += detector.assess(text).matches.length;
  if (sink < 0) console.log(sink);
  return (performance.now() - start) / times;
}

export default async function bench(): Promise<BenchResult[]> {
  const rules = rulesDetector();
  const combined = combineDetectors(rules, defaultModel());
  // 85% everyday, 15% risky, as a hotline's inbound mix is mostly navigation and questions.
  const mix: string[] = [];
  for (let i = 0; i < 2000; i++) mix.push(i % 7 === 0 ? RISKY[i % RISKY.length]! : EVERYDAY[i % EVERYDAY.length]!);
  const rounds = Number(process.env.BENCH_RISK_ROUNDS ?? 10);
  for (const m of mix) combined.assess(m); // warm-up (JIT)

  const rulesRate = perSecond(rules, mix, rounds);
  const combinedRate = perSecond(combined, mix, rounds);

  let long = '';
  while (long.length < 10_000) long += LONG_PART;
  long = `${long.slice(0, 9_980)} em bị nhốt rồi`;
  for (let i = 0; i < 5; i++) combined.assess(long);
  const rulesLong = msPerMessage(rules, long, 40);
  const combinedLong = msPerMessage(combined, long, 40);

  return [
    {
      name: 'risk.assess (rules + model)',
      unit: 'checks/s',
      value: combinedRate,
      baseline: { name: 'rules only', value: rulesRate },
      ratio: combinedRate / rulesRate,
      notes: `${rounds * mix.length} messages, 15% risky, one core (goal ≥ 10,000 checks/s)`,
    },
    {
      name: 'risk.assess 10,000-character message',
      unit: 'ms',
      value: combinedLong,
      baseline: { name: 'rules only', value: rulesLong },
      ratio: combinedLong / rulesLong,
      notes: `${long.length} characters, bounded windows (goal ≤ 5 ms)`,
    },
  ];
}
