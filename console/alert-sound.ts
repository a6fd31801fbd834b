/**
 * The console's alert sound, made here rather than committed as a binary: two short rising tones
 * (a 16-bit mono PCM WAV, ~0.5 s, ~16 KB) that every browser plays. Deterministic.
 */
export function alertWav(): Buffer {
  const rate = 16_000;
  const tones = [
    { hz: 880, ms: 180 },
    { hz: 0, ms: 60 },
    { hz: 1320, ms: 220 },
  ];
  const samples: number[] = [];
  for (const { hz, ms } of tones) {
    const n = Math.round((rate * ms) / 1000);
    for (let i = 0; i < n; i++) {
      // A short fade in and out so the tone does not click.
      const edge = Math.min(1, i / (rate * 0.01), (n - i) / (rate * 0.01));
      samples.push(hz ? Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * 0.5 * edge * 32767) : 0);
    }
  }
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => data.writeInt16LE(s, i * 2));
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
