import type { Readable, Transform } from 'node:stream';
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
 * Yields the header first, then records and problems in file order, in batches of what csv-parser has ready
 * (one await per batch rather than per line: a line crossing three async layers cost more than parsing it).
 * Records whose cells are all blank (spreadsheets pad files with ",,,,," lines) are skipped like blank lines.
 * Throws ImportFileRefusedError for a file that cannot be read (not-csv, empty-file, too-many-rows, or a header
 * line that is too long or has an unclosed quote); too-many-rows comes after the first maxRows records have been
 * yielded.
 */
export async function* readCsvUserFileBatches(
  source: AsyncIterable<Uint8Array>,
  options: CsvReadOptions = {},
): AsyncGenerator<readonly CsvReadItem[], void, undefined> {
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
  void feed(parser, first.value, text);

  const ledger = scanner.ledger;
  let headerSeen = false;
  // Records and problems passed on so far.
  let rows = 0;
  try {
    for await (const parsed of readyRows<CsvParserRow>(parser)) {
      const batch: CsvReadItem[] = [];
      for (const row of parsed) {
        let entry = ledger.shift();
        while (entry !== undefined && typeof entry !== 'number') {
          batch.push(problemItem(entry));
          entry = ledger.shift();
        }
        if (entry === undefined) throw new Error('CSV reader out of step: csv-parser produced a record the scanner did not pass on');
        const fields = Object.values(row);
        if (!headerSeen) {
          headerSeen = true;
          batch.push({ kind: 'header', line: entry, fields, delimiter });
          continue;
        }
        if (allBlank(fields)) continue;
        batch.push({ kind: 'record', line: entry, fields });
      }
      rows = yield* withinLimit(batch, rows, maxRows);
    }
  } finally {
    parser.destroy();
  }
  const rest: CsvReadItem[] = [];
  for (let entry = ledger.shift(); entry !== undefined; entry = ledger.shift()) {
    if (typeof entry === 'number') throw new Error('CSV reader out of step: a record the scanner passed on never came out of csv-parser');
    rest.push(problemItem(entry));
  }
  yield* withinLimit(rest, rows, maxRows);
}

/** The same items one by one. */
export async function* readCsvUserFile(source: AsyncIterable<Uint8Array>, options: CsvReadOptions = {}): AsyncGenerator<CsvReadItem, void, undefined> {
  for await (const batch of readCsvUserFileBatches(source, options)) yield* batch;
}

/** Rows handed on per batch: enough to spare a promise per row, few enough to keep backpressure. */
const READY_MAX = 1_000;

/**
 * What a readable object stream has ready, in arrays of at most READY_MAX items, until it ends; rejects with its
 * error. (Its own async iterator hands out one item per promise.) The bound matters: each read() that leaves the
 * buffer short asks the stream for more, so draining it until read() returns null can pull a whole file through.
 */
async function* readyRows<T>(stream: Readable): AsyncGenerator<T[], void, undefined> {
  let wake: (() => void) | undefined;
  let failure: { error: unknown } | undefined;
  let ended = false;
  const onReadable = () => wake?.();
  const onEnd = () => {
    ended = true;
    wake?.();
  };
  const onError = (error: unknown) => {
    failure = { error };
    wake?.();
  };
  stream.on('readable', onReadable);
  stream.on('end', onEnd);
  stream.on('close', onEnd);
  stream.on('error', onError);
  try {
    for (;;) {
      const ready: T[] = [];
      for (let item = stream.read() as T | null; item !== null; item = ready.length < READY_MAX ? (stream.read() as T | null) : null) ready.push(item);
      if (ready.length > 0) {
        yield ready;
        continue;
      }
      if (failure) throw failure.error;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    stream.off('readable', onReadable);
    stream.off('end', onEnd);
    stream.off('close', onEnd);
    stream.off('error', onError);
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

/**
 * Writes the text into csv-parser one piece at a time, each once the one before is parsed: its writable side takes
 * 16 pieces before it says stop, which piped 17 chunks of the file (17 MiB of strings) ahead of the reader. A
 * failing source fails the parser, where the reader sees it; a parser destroyed by the reader stops the source.
 */
async function feed(parser: Transform, first: string, rest: AsyncGenerator<string, void, undefined>): Promise<void> {
  // A piece in flight when the reader stops is never called back: the parser's closing ends the wait instead.
  const closed = new Promise<'closed'>((resolve) => parser.once('close', () => resolve('closed')));
  const parsed = (piece: string) =>
    Promise.race([new Promise<'parsed'>((resolve, reject) => parser.write(piece, (error) => (error ? reject(error) : resolve('parsed')))), closed]);
  try {
    if ((await parsed(first)) === 'closed') {
      await rest.return();
      return;
    }
    for await (const piece of rest) if ((await parsed(piece)) === 'closed') return;
    parser.end();
  } catch (error) {
    parser.destroy(error as Error);
  }
}

/** Passes the batch on, cut where the file goes past maxRows, which refuses it; returns the rows counted. */
function* withinLimit(batch: readonly CsvReadItem[], rows: number, maxRows: number): Generator<readonly CsvReadItem[], number, undefined> {
  let counted = rows;
  for (let i = 0; i < batch.length; i++) {
    if (batch[i].kind === 'header') continue;
    if (counted === maxRows) {
      if (i > 0) yield batch.slice(0, i);
      throw tooManyRows(maxRows);
    }
    counted += 1;
  }
  if (batch.length > 0) yield batch;
  return counted;
}

function tooManyRows(maxRows: number): ImportFileRefusedError {
  return new ImportFileRefusedError(
    'too-many-rows',
    `The file has more than ${maxRows.toLocaleString('en-US')} rows; split it into files of at most ${maxRows.toLocaleString('en-US')} rows.`,
  );
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
