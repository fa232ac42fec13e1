import { randomUUID } from 'node:crypto';
import { Clock, IdGenerator } from '../application/ports/clock.port.js';

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

export class UuidGenerator extends IdGenerator {
  newId(): string {
    return randomUUID();
  }
}
