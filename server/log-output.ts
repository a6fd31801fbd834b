/**
 * Where `npm start` writes its logs: standard output, without ever letting a stuck or vanished
 * reader hold the process. pino's default destination buffers without limit while the reader is
 * slow and, at exit, flushes synchronously in a loop that never ends when the pipe stays full
 * (issue 18: SIGTERM "hung" once the log reader stopped reading). Here:
 * - lines go out asynchronously (stdout is non-blocking once Node has opened it as a pipe or socket);
 * - at most `maxBufferedBytes` wait for the reader; beyond that lines are dropped and counted;
 * - a closed reader (EPIPE) or any write error ends the writing; the process goes on;
 * - `close(ms)` waits at most `ms` for the buffer to drain, then abandons what is left, so the exit
 *   that follows never waits on the reader.
 */
import { pino } from 'pino';

export interface LogOutput {
  /** The pino destination. */
  stream: pino.DestinationStream;
  /** Lines dropped because the reader was too slow or gone. */
  dropped(): number;
  /** Waits up to `ms` for buffered lines to be written, then stops writing (never blocks). */
  close(ms: number): Promise<void>;
  /** Stops writing at once (a second signal, a deadline): buffered lines are dropped. */
  abandon(): void;
}

type SonicBoom = ReturnType<typeof pino.destination>;

export function createLogOutput(options: { fd?: number; maxBufferedBytes?: number } = {}): LogOutput {
  // Opening process.stdout makes a pipe or socket on fd 1 non-blocking, so a full pipe answers
  // EAGAIN (retried later) instead of blocking a thread.
  const fd = options.fd ?? process.stdout.fd ?? 1;
  const boom: SonicBoom = pino.destination({ dest: fd, sync: false, minLength: 0, maxLength: options.maxBufferedBytes ?? 8 * 1024 * 1024 });
  let dropped = 0;
  let stopped = false;
  let pending = false; // bytes handed to the destination and not yet written
  const drained: Array<() => void> = [];

  boom.on('drop', () => {
    dropped++;
  });
  boom.on('drain', () => {
    pending = false;
    for (const resolve of drained.splice(0)) resolve();
  });
  // EPIPE (the reader is gone) or any other write error: stop writing; logging never crashes the process.
  boom.on('error', () => stop());

  function stop(): void {
    if (stopped) return;
    stopped = true;
    pending = false;
    for (const resolve of drained.splice(0)) resolve();
    // destroy() marks the destination destroyed at once, which also disarms pino's flush-on-exit
    // (a synchronous loop that would spin for ever on a full pipe).
    try {
      boom.destroy();
    } catch {
      // already closed
    }
  }

  const stream: pino.DestinationStream = {
    write(line: string) {
      if (stopped) {
        dropped++;
        return;
      }
      pending = true;
      try {
        boom.write(line);
      } catch {
        stop();
      }
    },
  };

  return {
    stream,
    dropped: () => dropped,
    abandon: stop,
    async close(ms: number) {
      if (!stopped && pending) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => drained.push(resolve)),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, ms);
          }),
        ]);
        clearTimeout(timer);
      }
      stop();
    },
  };
}
