import { Readable, pipeline } from 'node:stream';
import csvParser from 'csv-parser';
import type { CsvReadItem, CsvRecordProblem } from '../../domain/csv-record.js';
import { ImportFileRefusedError } from '../../domain/import-file-refused.error.js';
import { CsvRecordScanner } from './csv-record.scanner.js';
import { CsvTextDecoder } from './encoding.detector.js';

export interface CsvReadOptions {
  /** Longest record read, in UTF-8 bytes; a longer line is reported and skipped. Default 64 KiB. */
  readonly maxRowBytes?: number;
  /** Most data records (blank lines aside) a file may have; one more refuses it as too-many-rows. Default 1,000,000. */
  readonly maxRows?: number;
}

export const DEFAULT_MAX_ROW_BYTES = 64 * 1024;
export const DEFAULT_MAX_ROWS = 1_000_000;

type CsvParserRow = Readonly<Record<string, string>>;

/**
 * Reads an uploaded CSV file as a stream: bytes → encoding detection and decoding (iconv-lite) → the record
 * scanner (quotes, line numbers, faulty lines) → csv-parser (cells) → items. Memory stays flat whatever the
 * file's size: at most one record beyond the chunks in flight is held.
 *
 * Yields the header first, then records and problems in file order. Records whose cells are all blank
 * (spreadsheets pad files with ",,,,," lines) are skipped like blank lines. Throws ImportFileRefusedError for
 * a file that cannot be read (not-csv, empty-file, too-many-rows, or a header line that is too long or has an
 * unclosed quote); too-many-rows comes after the first maxRows records have been yielded.
 */
export async function* readCsvUserFile(source: AsyncIterable<Uint8Array>, options: CsvReadOptions = {}): AsyncGenerator<CsvReadItem, void, undefined> {
  const maxRowBytes = options.maxRowBytes ?? DEFAULT_MAX_ROW_BYTES;
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const scanner = new CsvRecordScanner({ maxRowBytes });
  const text = normalisedText(source, new CsvTextDecoder(), scanner);

  // The scanner only knows the delimiter once it has seen the header, and csv-parser needs it up front.
  const first = await text.next();
  const delimiter = scanner.delimiter;
  if (first.done === true || delimiter === undefined) throw new Error('CSV reader out of step: the header was read but not passed on');

  const parser = csvParser({
    separator: delimiter,
    headers: false,
    // csv-parser cannot go on after its own limit (it fails the stream), so the scanner enforces maxRowBytes
    // before it, reporting and skipping the line. This limit is only a backstop: normalising can at most
    // double a record (quotes doubled inside a typographic-quoted value).
    maxRowBytes: 2 * maxRowBytes + 2,
  });
  const input = Readable.from(prepend(first.value, text), { objectMode: true, highWaterMark: 1 });
  pipeline(input, parser, () => {
    // Errors reach the consumer through the parser; pipeline() is only here to tear both down together.
  });

  const ledger = scanner.ledger;
  let headerSeen = false;
  let rows = 0;
  try {
    for await (const row of parser as AsyncIterable<CsvParserRow>) {
      let entry = ledger.shift();
      while (entry !== undefined && typeof entry !== 'number') {
        rows = countRow(rows, maxRows);
        yield problemItem(entry);
        entry = ledger.shift();
      }
      if (entry === undefined) throw new Error('CSV reader out of step: csv-parser produced a record the scanner did not pass on');
      const fields = Object.values(row);
      if (!headerSeen) {
        headerSeen = true;
        yield { kind: 'header', line: entry, fields, delimiter };
        continue;
      }
      if (allBlank(fields)) continue;
      rows = countRow(rows, maxRows);
      yield { kind: 'record', line: entry, fields };
    }
  } finally {
    parser.destroy();
  }
  for (let entry = ledger.shift(); entry !== undefined; entry = ledger.shift()) {
    if (typeof entry === 'number') throw new Error('CSV reader out of step: a record the scanner passed on never came out of csv-parser');
    rows = countRow(rows, maxRows);
    yield problemItem(entry);
  }
}

/** The reader as an injectable object, with its options fixed. */
export class CsvUserFileReader {
  constructor(private readonly options: CsvReadOptions = {}) {}

  read(source: AsyncIterable<Uint8Array>): AsyncGenerator<CsvReadItem, void, undefined> {
    return readCsvUserFile(source, this.options);
  }
}

async function* normalisedText(source: AsyncIterable<Uint8Array>, decoder: CsvTextDecoder, scanner: CsvRecordScanner): AsyncGenerator<string, void, undefined> {
  for await (const chunk of source) {
    scanner.write(decoder.write(chunk));
    const output = scanner.takeOutput();
    if (output.length > 0) yield output;
  }
  scanner.write(decoder.end());
  scanner.end();
  const output = scanner.takeOutput();
  if (output.length > 0) yield output;
}

async function* prepend(first: string, rest: AsyncGenerator<string, void, undefined>): AsyncGenerator<string, void, undefined> {
  yield first;
  yield* rest;
}

function countRow(rows: number, maxRows: number): number {
  if (rows >= maxRows) {
    throw new ImportFileRefusedError(
      'too-many-rows',
      `The file has more than ${maxRows.toLocaleString('en-US')} rows; split it into files of at most ${maxRows.toLocaleString('en-US')} rows.`,
    );
  }
  return rows + 1;
}

function problemItem(problem: CsvRecordProblem): CsvReadItem {
  return { kind: 'problem', line: problem.line, code: problem.code, error: problem.error };
}

function allBlank(fields: readonly string[]): boolean {
  for (let i = 0; i < fields.length; i++) {
    if (fields[i].length > 0 && fields[i].trim().length > 0) return false;
  }
  return true;
}
