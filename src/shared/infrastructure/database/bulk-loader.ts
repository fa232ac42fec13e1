import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource, QueryRunner } from 'typeorm';
import type { Transaction } from '../../application/ports/unit-of-work.port.js';
import { queryRunnerOf } from './typeorm-unit-of-work.adapter.js';

/** A column to load: its name, and its SQL type for the embedded database's JSON path. */
export interface BulkColumn {
  readonly name: string;
  readonly type: string;
}

/** Cells of one row in column order: null is SQL NULL; objects (json, jsonb) are sent as JSON. */
export type BulkValue = string | number | boolean | Date | object | null | undefined;

const COPY_CHUNK_BYTES = 256 * 1024;
const NO_TEXT: Buffer[] = [];
const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const BACKSLASHES = /\\/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
/**
 * Types whose text never holds a backslash, line break or tab: their cells skip the escape test. A malformed value
 * (a uuid with a tab in it) cannot be stored wrongly either way: PostgreSQL refuses the row.
 */
const PLAIN_TYPES = new Set(['uuid', 'int', 'bigint', 'boolean', 'timestamptz']);

/** A cell in COPY's text format: NULL is \N, and (unless `plain`) backslash, newline, CR and tab are escaped. */
function copyCell(value: BulkValue, plain: boolean): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'object' && !(value instanceof Date)) {
    // JSON.stringify writes control characters as escapes, so only backslashes need doubling; indexOf finds none in
    // an event's JSON several times faster than the regular expression below.
    const json = JSON.stringify(value);
    return json.indexOf('\\') < 0 ? json : json.replace(BACKSLASHES, '\\\\');
  }
  const text = typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : String(value);
  // Most cells need no escape; testing first spares a replace (and its copy) per cell.
  return plain || !SPECIAL.test(text) ? text : text.replace(SPECIALS, (c) => ESCAPES[c]);
}

/**
 * Rows encoded as they are added, for one load: it keeps their bytes (COPY text in buffers of about 256 KiB), or
 * their JSON for the embedded database, never the row objects. A caller that adds each row as it makes it leaves
 * nothing for the garbage collector to copy; staging a million lines as arrays of row objects spent about 30 % of
 * the reading's time in garbage collection.
 *
 * Each row's cells are joined into one string (Array.join makes it flat at once, where concatenating built a rope
 * that writing then had to copy flat: 0.75 → 0.33 µs a users row) and written with one call (a write per cell cost
 * more than the row's string).
 */
export class BulkRows {
  private readonly plain: boolean[];
  // A column often repeats one object row after row (the events of a batch share their metadata): encoded once.
  private readonly lastValue: BulkValue[] = [];
  /** The row's cells, reused row after row: the cache of the last value's cell per column, too. */
  private readonly cells: string[];
  private readonly chunks: Buffer[] = [];
  private readonly json: string[] = [];
  private buf: Buffer | undefined;
  private pos = 0;
  private added = 0;

  constructor(
    readonly columns: readonly BulkColumn[],
    private readonly copy: boolean,
  ) {
    this.plain = columns.map((c) => PLAIN_TYPES.has(c.type));
    this.cells = columns.map(() => '');
  }

  get count(): number {
    return this.added;
  }

  add(row: readonly BulkValue[]): void {
    this.added += 1;
    if (!this.copy) {
      this.json.push(JSON.stringify(row));
      return;
    }
    const cells = this.cells;
    for (let i = 0; i < row.length; i++) {
      const value = row[i];
      if (typeof value !== 'object' || value === null || value !== this.lastValue[i]) {
        this.lastValue[i] = value;
        cells[i] = copyCell(value, this.plain[i]);
      }
    }
    const line = cells.join('\t');
    // At most 3 UTF-8 bytes per UTF-16 unit, and the line break.
    const room = 3 * line.length + 1;
    if (this.buf === undefined || this.pos + room > this.buf.length) {
      if (this.buf !== undefined && this.pos > 0) this.chunks.push(this.buf.subarray(0, this.pos));
      this.buf = Buffer.allocUnsafe(Math.max(COPY_CHUNK_BYTES, room));
      this.pos = 0;
    }
    this.pos += this.buf.write(line, this.pos);
    this.buf[this.pos++] = 10;
  }

  /** Takes the COPY text of the rows added since the last take: only the filled buffers, unless `all`. */
  takeCopyText(all = true): Buffer[] {
    if (all && this.buf !== undefined && this.pos > 0) {
      this.chunks.push(this.buf.subarray(0, this.pos));
      this.buf = undefined;
      this.pos = 0;
    }
    return this.chunks.length === 0 ? NO_TEXT : this.chunks.splice(0);
  }

  /** The rows so far as the JSON parameter of `insertFromJson`. */
  jsonText(): string {
    return `[${this.json.join(',')}]`;
  }
}

/** The rows' COPY text, a buffer at a time as they fill. */
function* copyStream(rows: Iterable<readonly BulkValue[]>, columns: readonly BulkColumn[]): Generator<Buffer> {
  const encoded = new BulkRows(columns, true);
  for (const row of rows) {
    encoded.add(row);
    yield* encoded.takeCopyText(false);
  }
  yield* encoded.takeCopyText();
}

/**
 * SQL inserting rows sent as one JSON parameter ($1, an array of arrays in column order; see `jsonRows`): one
 * statement and one parameter for any number of rows, and a prefix the caller can extend (ON CONFLICT …).
 * `parsedOnce` reads the document as jsonb: each `->>` on json text parses the row again (a 16-column upsert of
 * 5,000 users took 146 ms from json, 61 ms from jsonb), but jsonb reorders the keys of an object cell, so a table
 * with json columns kept as written (events) reads json.
 */
export function insertFromJson(table: string, columns: readonly BulkColumn[], options: { parsedOnce?: boolean } = {}): string {
  const cells = columns.map((c, i) => `(r->>${i})::${c.type}`).join(', ');
  const rows = options.parsedOnce ? 'jsonb_array_elements($1::jsonb)' : 'json_array_elements($1::json)';
  return `INSERT INTO ${table} (${columns.map((c) => c.name).join(', ')}) SELECT ${cells} FROM ${rows} AS r`;
}

/** The rows as the JSON parameter of `insertFromJson` (dates as ISO text, undefined as null, objects as JSON). */
export function jsonRows(rows: readonly (readonly BulkValue[])[]): string {
  return JSON.stringify(rows);
}

/**
 * Loads many rows into a table in one statement: COPY FROM STDIN on a PostgreSQL server (several times faster
 * than a multi-row INSERT for the bulk import's events and rows), else one INSERT from a JSON document, for the
 * embedded PGlite, whose wire protocol has no COPY. Either way no parameter limit applies and a constraint
 * violation fails the statement as an INSERT's would.
 */
export class BulkLoader {
  constructor(
    private readonly dataSource: DataSource,
    /** Whether the database speaks COPY (a PostgreSQL server does; the embedded PGlite does not). */
    readonly copySupported: boolean,
  ) {}

  /** An empty set of rows to add to and load with `loadRows`. */
  rows(columns: readonly BulkColumn[]): BulkRows {
    return new BulkRows(columns, this.copySupported);
  }

  /**
   * Loads the rows in the transaction, or on a connection the caller holds, or on one from the pool. On a server,
   * a lazy iterable is made, encoded and sent as PostgreSQL takes it: the caller's work on the next rows runs while
   * PostgreSQL stores the ones before, and the rows die young.
   */
  async load(
    on: Transaction | QueryRunner | undefined,
    table: string,
    columns: readonly BulkColumn[],
    rows: Iterable<readonly BulkValue[]>,
  ): Promise<void> {
    if (Array.isArray(rows) && rows.length === 0) return;
    if (this.copySupported) return this.copy(on, table, columns, copyStream(rows, columns));
    const encoded = this.rows(columns);
    for (const row of rows) encoded.add(row);
    await this.loadRows(on, table, encoded);
  }

  async loadRows(on: Transaction | QueryRunner | undefined, table: string, rows: BulkRows): Promise<void> {
    if (rows.count === 0) return;
    if (this.copySupported) return this.copy(on, table, rows.columns, rows.takeCopyText());
    await this.withRunner(on, (runner) => runner.query(insertFromJson(table, rows.columns), [rows.jsonText()]));
  }

  /**
   * Streams `data` into `copySql` (a `COPY … FROM STDIN`) as PostgreSQL takes it, on a server only. A source that
   * fails aborts the COPY (CopyFail): none of its rows are kept.
   */
  async copyIn(on: Transaction | QueryRunner | undefined, copySql: string, data: Iterable<Buffer> | AsyncIterable<Buffer>): Promise<void> {
    if (!this.copySupported) throw new Error('COPY needs a PostgreSQL server; the embedded database has no COPY');
    await this.withRunner(on, async (runner) => {
      const client = (await runner.connect()) as PoolClient;
      await pipeline(Readable.from(data), client.query(copyFrom(copySql)));
    });
  }

  private copy(on: Transaction | QueryRunner | undefined, table: string, columns: readonly BulkColumn[], text: Iterable<Buffer>): Promise<void> {
    return this.copyIn(on, `COPY ${table} (${columns.map((c) => c.name).join(', ')}) FROM STDIN`, text);
  }

  private async withRunner(on: Transaction | QueryRunner | undefined, work: (runner: QueryRunner) => Promise<unknown>): Promise<void> {
    const held = on !== undefined;
    const runner = on !== undefined && !('isTransaction' in on) ? on : queryRunnerOf(this.dataSource, on);
    try {
      await work(runner);
    } finally {
      if (!held) await runner.release();
    }
  }
}
