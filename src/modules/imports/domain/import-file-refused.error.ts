/**
 * Reasons to refuse a whole file rather than some of its lines. The edges map the code (too-many-rows → 413,
 * the others → 422); the message is written for the admin who uploaded the file.
 */
export type ImportFileRefusalCode =
  | 'not-csv'
  | 'empty-file'
  | 'too-many-rows'
  | 'line-too-long'
  | 'unclosed-quote'
  | 'missing-email-column'
  | 'duplicate-column';

export interface ImportFileRefusal {
  readonly code: ImportFileRefusalCode;
  readonly error: string;
  /** The line that made the file unreadable, when one line did. */
  readonly line?: number;
}

export class ImportFileRefusedError extends Error implements ImportFileRefusal {
  override readonly name = 'ImportFileRefusedError';
  readonly error: string;

  constructor(
    readonly code: ImportFileRefusalCode,
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.error = message;
  }
}
