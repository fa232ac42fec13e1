import { v7 as uuidv7 } from 'uuid';
import { Clock, IdGenerator } from '../application/ports/clock.port.js';

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/**
 * Version 7 UUIDs: time-ordered, so the ids of the users and events a bulk import creates land at the end of
 * their indexes instead of on random pages (which, once an index outgrows memory, costs a read per insert).
 */
export class UuidGenerator extends IdGenerator {
  newId(): string {
    return uuidv7();
  }
}
