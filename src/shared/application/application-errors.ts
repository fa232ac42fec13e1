/** Errors the application raises for the edges to translate (HTTP Problem+JSON, CLI messages). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** Another writer changed the stream first: the caller re-reads and retries; nothing was written. */
export class ConcurrencyConflictError extends Error {
  override readonly name = 'ConcurrencyConflictError';
  constructor(
    readonly streamId: string,
    message = `Someone else changed ${streamId} at the same time; nothing was saved, reload and try again.`,
  ) {
    super(message);
  }
}

/** The client sent If-Match with a version that is no longer current. */
export class PreconditionFailedError extends Error {
  override readonly name = 'PreconditionFailedError';
}

export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** A list's `cursor` that no page of that list gave: made up, cut short, or another list's. */
export class UnknownCursorError extends ValidationError {
  constructor() {
    super('cursor: is not a cursor this API gave; pass the nextCursor of the previous page as it is, or leave cursor out to start at the first page.', 'cursor');
  }
}

export class UniqueEmailViolationError extends Error {
  override readonly name = 'UniqueEmailViolationError';
  constructor(readonly email: string) {
    super(`A user with e-mail ${email} already exists in this network.`);
  }
}
