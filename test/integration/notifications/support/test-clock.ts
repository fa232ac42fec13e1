import { randomUUID } from 'node:crypto';
import { Clock, IdGenerator } from '../../../../src/shared/application/ports/clock.port.js';

/** A clock the test moves by hand, so back-off delays pass without waiting for them. */
export class TestClock extends Clock {
  constructor(private current: Date) {
    super();
  }

  now(): Date {
    return new Date(this.current.getTime());
  }

  set(at: Date): void {
    this.current = new Date(at.getTime());
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export class RandomIds extends IdGenerator {
  newId(): string {
    return randomUUID();
  }
}
