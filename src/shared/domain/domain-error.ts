/**
 * A business rule said no. `code` lets the edges map it (HTTP status, CSV row error) without parsing text;
 * `message` is written for the admin who will read it.
 */
export type DomainErrorCode = 'not-found' | 'already-exists' | 'invalid-state' | 'invalid-value';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
