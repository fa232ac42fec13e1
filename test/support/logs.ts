/** A pino logger whose JSON lines a test reads back: `const logs = capturedLogs(); startTestApp({}, { logger: logs.logger })`. */
import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';

export function capturedLogs(options: { base?: Record<string, unknown> } = {}): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'info', ...(options.base ? { base: options.base } : {}) }, sink), lines };
}
