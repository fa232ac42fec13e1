import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';

/** One JSON logger for the process; Nest's own messages go through it too. */
export function createLogger(level: string, destination: 1 | 2 = 1): Logger {
  return pino({ level, base: { service: 'office-chat-users' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination(destination));
}

type Level = 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest calls `log(message, ...params, context)`; our code calls `logger.log({ importId, ... }, 'what happened')`,
 * so an object message becomes structured fields and the first string parameter its text.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]) {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.write('trace', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]) {
    const context = params.length > 0 && typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const text = typeof params[0] === 'string' ? params[0] : undefined;
    if (typeof message === 'object' && message !== null) this.logger[level]({ context, ...message }, text);
    else this.logger[level]({ context, ...(text ? { detail: text } : {}) }, String(message));
  }
}
