import type { CsvDelimiter } from '../../domain/csv-record.js';
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

/**
 * A run of the file's lines, in file order, held compactly: a line becomes objects only when it is `read`, where its
 * batch decides it, so the lines waiting for their turn are a few strings rather than a dozen objects each.
 */
export interface ParsedLines {
  readonly count: number;
  /** The file line of the i-th line. */
  lineAt(i: number): number;
  /** The i-th line's e-mail key when it is a valid row, else undefined. */
  emailKeyAt(i: number): string | undefined;
  /** The i-th line's manager e-mail key when it is a valid row naming one, else undefined. */
  managerKeyAt(i: number): string | undefined;
  read(i: number): ParsedUserLine;
  /** Lines `start` to `end` (excluded), sharing this run's storage. */
  slice(start: number, end?: number): ParsedLines;
}

export interface ParseOptions {
  readonly maxRows: number;
  readonly defaultPhoneRegion?: string;
  /** Lines per run of `lines` (the last run may be shorter). */
  readonly linesPerRun?: number;
  /**
   * Read the file on a thread of its own, the runs handed over as they are ready: for a whole import, whose lines
   * are decided and written on the caller's thread meanwhile.
   */
  readonly inBackground?: boolean;
}

export interface ParsedUserFile {
  readonly columns: readonly ColumnMapping[];
  /** The file's delimiter, which its error report is written with, so the admin's spreadsheet splits it the same. */
  readonly delimiter: CsvDelimiter;
  /** File-level warnings, such as ignored unknown columns. */
  readonly warnings: readonly string[];
  /**
   * Every data line, in file order and in runs as they are read: a valid row, or a line rejected with its reason.
   * Blank lines are skipped.
   */
  readonly lines: AsyncIterable<ParsedLines>;
  /** Stops reading early and lets go of the file. */
  close(): Promise<void>;
}

/** Reads an uploaded users file (encoding, delimiter, quotes, headings) and validates each line into domain values. */
export abstract class UserFileParser {
  /** Resolves once the heading line is read; throws FileRefusedError when the file cannot be imported at all. */
  abstract open(content: AsyncIterable<Uint8Array>, options: ParseOptions): Promise<ParsedUserFile>;
}
