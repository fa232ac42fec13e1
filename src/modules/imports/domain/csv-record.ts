/**
 * What reading an uploaded CSV file yields, before any user rule is applied. Line numbers are 1-based
 * physical lines of the file, so an admin can find the line in the editor they used to write it.
 */

export type CsvDelimiter = ',' | ';' | '\t';

/** A record of the file: its cells, unquoted but not trimmed, and the line where it starts. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

export type CsvRecordProblemCode = 'line-too-long' | 'unclosed-quote' | 'invalid-characters';

/** A line the reader could not turn into a record; the lines after it are still read. */
export interface CsvRecordProblem {
  readonly line: number;
  readonly code: CsvRecordProblemCode;
  readonly error: string;
}

export interface CsvHeaderItem extends CsvRecord {
  readonly kind: 'header';
  readonly delimiter: CsvDelimiter;
}

export interface CsvDataItem extends CsvRecord {
  readonly kind: 'record';
}

export interface CsvProblemItem extends CsvRecordProblem {
  readonly kind: 'problem';
}

/** The header comes first, exactly once; then records and problems in file order. */
export type CsvReadItem = CsvHeaderItem | CsvDataItem | CsvProblemItem;
