/** Time and ids come from the edge into command metadata, never from inside the domain. */
export abstract class Clock {
  abstract now(): Date;
}

export abstract class IdGenerator {
  abstract newId(): string;
}
