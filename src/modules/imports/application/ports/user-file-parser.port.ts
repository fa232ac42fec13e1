import type { ColumnMapping, RejectedLine, ValidatedRow } from './import-store.port.js';

export type FileRefusalReason =
  | 'not-csv'
  | 'empty-file'
  | 'too-many-rows'
  | 'too-large'
  | 'missing-email-column'
  | 'duplicate-column'
  | 'unreadable';

/** The whole file is refused before any row is applied; `message` names what to fix. */
export class FileRefusedError extends Error {
  override readonly name = 'FileRefusedError';
  constructor(
    readonly reason: FileRefusalReason,
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

export type ParsedUserLine = { readonly kind: 'row'; readonly row: ValidatedRow } | { readonly kind: 'rejected'; readonly rejected: RejectedLine };

export interface ParsedUserFile {
  readonly columns: readonly ColumnMapping[];
  /** File-level warnings, such as ignored unknown columns. */
  readonly warnings: readonly string[];
  /**
   * Every data line, in file order and in batches as they are read: a valid row, or a line rejected with its
   * reason. Blank lines are skipped.
   */
  readonly lineBatches: AsyncIterable<readonly ParsedUserLine[]>;
  /** Stops reading early and lets go of the file. */
  close(): Promise<void>;
}

/** Reads an uploaded users file (encoding, delimiter, quotes, headings) and validates each line into domain values. */
export abstract class UserFileParser {
  /** Resolves once the heading line is read; throws FileRefusedError when the file cannot be imported at all. */
  abstract open(content: AsyncIterable<Uint8Array>, options: { maxRows: number; defaultPhoneRegion?: string }): Promise<ParsedUserFile>;
}
