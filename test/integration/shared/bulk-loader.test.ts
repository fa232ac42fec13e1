/**
 * BulkLoader's two paths must be interchangeable: COPY FROM STDIN (text format) on a PostgreSQL server and one
 * INSERT … FROM json_array_elements on embedded PGlite (no COPY in its wire protocol). The same tricky rows go
 * through COPY on the test server, JSON on the test server and JSON on a PGlite, and must read back identical.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import type { DataSource } from 'typeorm';
import type { OpenRuntime } from '../../../src/bootstrap.js';
import { BulkLoader, type BulkColumn, type BulkValue } from '../../../src/shared/infrastructure/database/bulk-loader.js';
import { createDataSource } from '../../../src/shared/infrastructure/database/data-source.factory.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../../src/shared/infrastructure/database/embedded-postgres.js';
import { sqlRunner, TypeormUnitOfWork } from '../../../src/shared/infrastructure/database/typeorm-unit-of-work.adapter.js';
import { testDatabaseUrl } from '../../support/app.js';
import { openTestRuntime } from '../../support/database.js';

jest.setTimeout(120_000);

const COLUMNS: readonly BulkColumn[] = [
  { name: 'n', type: 'int' },
  { name: 't', type: 'text' },
  { name: 'i', type: 'int' },
  { name: 'b', type: 'boolean' },
  { name: 'u', type: 'uuid' },
  { name: 'ts', type: 'timestamptz' },
  { name: 'j', type: 'jsonb' },
];

/** Over 300 KB, with every character COPY escapes, so the row alone is longer than the loader's 256 K chunk. */
const BIG = 'abc\\def\tghi\njkl\rmno 漢字😀 '.repeat(20_000).slice(0, 300 * 1024);

const TRICKY_JSON = {
  quote: 'she said "hi"',
  backslashes: 'C:\\path\\to\\ and \\\\ double and \\N and \\u0041 as text',
  breaks: 'one\ntwo\r\nthree\tfour',
  'key "with" \\ specials\n': true,
  nested: { arr: [1, 'two', null, false, { deep: '\\N' }], empty: {}, none: [] },
  number: 3.25,
  negative: -42,
  unicode: '😀 漢字 Ünïcødé',
};

const ROWS: readonly (readonly BulkValue[])[] = [
  [1, null, null, null, null, null, null],
  [2, '', 0, false, '00000000-0000-0000-0000-000000000000', new Date('2026-11-25T10:00:00.123Z'), {}],
  [3, 'C:\\Users\\ann\\ and a trailing backslash \\', -1, true, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', new Date(0), []],
  [4, 'tab\tinside\tand trailing\t', 2_147_483_647, true, '0190a3b1-7c2e-7d4f-8a6b-1c2d3e4f5a6b', new Date('1999-12-31T23:59:59.999Z'), TRICKY_JSON],
  [5, 'line one\nline two\n', -2_147_483_648, false, null, new Date('2038-01-19T03:14:08.000Z'), [TRICKY_JSON, 'x\\y', null]],
  [6, 'carriage\rreturn and CRLF\r\n', 7, null, null, null, { crlf: '\r\n' }],
  [7, '\\N', 8, true, null, null, { literal: '\\N' }], // the text \N, not NULL
  [8, '\\\\N', 9, false, null, null, null],
  [9, '\\.', 10, true, null, null, { eod: '\\.\n' }], // COPY's end-of-data marker, as text
  [10, 'NULL', 11, false, null, null, { null: null }],
  [11, '😀 emoji, 漢字, Ünïcødé, עברית, \u00a0nbsp', 12, true, null, null, { '😀': '漢字' }],
  [12, BIG, 13, false, null, null, { big: BIG }],
  [13, '"quoted", \'single\', comma, semi;colon', 14, true, null, null, { s: '\'"`' }],
  [14, ' leading and trailing spaces ', 15, false, null, null, true],
];

interface ReadRow {
  n: number;
  t: string | null;
  i: number | null;
  b: boolean | null;
  u: string | null;
  ts: Date | null;
  j: unknown;
  jt: string | null;
}

/** Long strings as length and hash, so a failure prints a readable diff instead of 300 KB. */
function readable(value: unknown): unknown {
  if (typeof value === 'string') return value.length > 1_000 ? `<${value.length} chars, sha256 ${createHash('sha256').update(value).digest('hex')}>` : value;
  if (Array.isArray(value)) return value.map(readable);
  if (value && typeof value === 'object' && !(value instanceof Date)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, readable(v)]));
  return value;
}

/** What the rows must read back as: uuids in lower case, Dates as Dates, jsonb as the value loaded. */
function expectedRows(rows: readonly (readonly BulkValue[])[]) {
  return rows.map(([n, t, i, b, u, ts, j]) => readable({ n, t, i, b, u: typeof u === 'string' ? u.toLowerCase() : u, ts, j }));
}

const newTableName = () => `bulk_${randomBytes(5).toString('hex')}`;

async function createTable(ds: DataSource): Promise<string> {
  const table = newTableName();
  await ds.query(`CREATE TABLE ${table} (n int PRIMARY KEY, t text, i int, b boolean, u uuid, ts timestamptz, j jsonb)`);
  return table;
}

async function readBack(ds: DataSource, table: string): Promise<ReadRow[]> {
  return ds.query<ReadRow[]>(`SELECT n, t, i, b, u, ts, j, j::text AS jt FROM ${table} ORDER BY n`);
}

async function count(ds: DataSource, table: string): Promise<number> {
  const [{ c }] = await ds.query<{ c: number }[]>(`SELECT count(*)::int AS c FROM ${table}`);
  return c;
}

describe('BulkLoader: COPY on PostgreSQL and JSON on embedded PGlite', () => {
  let runtime: OpenRuntime;
  let dir: string;
  let embedded: EmbeddedPostgres;
  let pglite: DataSource;
  let copy: BulkLoader;
  let jsonOnServer: BulkLoader;
  let jsonOnPglite: BulkLoader;
  const serverTables: string[] = [];

  async function serverTable(): Promise<string> {
    const table = await createTable(runtime.dataSource);
    serverTables.push(table);
    return table;
  }

  beforeAll(async () => {
    runtime = await openTestRuntime();
    dir = await mkdtemp(join(tmpdir(), 'ocu-bulk-'));
    embedded = await startEmbeddedPostgres(dir);
    pglite = createDataSource(embedded.url, 2);
    await pglite.initialize();
    copy = new BulkLoader(runtime.dataSource, true);
    jsonOnServer = new BulkLoader(runtime.dataSource, false);
    jsonOnPglite = new BulkLoader(pglite, false);
  });

  afterAll(async () => {
    for (const table of serverTables) await runtime?.dataSource.query(`DROP TABLE IF EXISTS ${table}`);
    await runtime?.close();
    await pglite?.destroy();
    await embedded?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the test database is a PostgreSQL server, so the runtime loads with COPY there', () => {
    expect(runtime.bulkCopy).toBe(true);
  });

  it('the same tricky rows read back identical through COPY (server), JSON (server) and JSON (PGlite)', async () => {
    const viaCopy = await serverTable();
    const viaJsonServer = await serverTable();
    const viaJsonPglite = await createTable(pglite);
    await copy.load(undefined, viaCopy, COLUMNS, ROWS);
    await jsonOnServer.load(undefined, viaJsonServer, COLUMNS, ROWS);
    await jsonOnPglite.load(undefined, viaJsonPglite, COLUMNS, ROWS);

    const copied = await readBack(runtime.dataSource, viaCopy);
    const jsonServer = await readBack(runtime.dataSource, viaJsonServer);
    const jsonPglite = await readBack(pglite, viaJsonPglite);

    // Against the input itself, not only against each other: both paths losing the same character would agree.
    const withoutText = (rows: ReadRow[]) => rows.map(({ jt: _jt, ...row }) => readable(row));
    expect(withoutText(copied)).toEqual(expectedRows(ROWS));
    expect(withoutText(jsonServer)).toEqual(expectedRows(ROWS));
    expect(withoutText(jsonPglite)).toEqual(expectedRows(ROWS));
    // jsonb's canonical text too, and NULL stays distinct from the text "\N" and "NULL".
    expect(readable(jsonServer.map((r) => r.jt))).toEqual(readable(copied.map((r) => r.jt)));
    expect(readable(jsonPglite.map((r) => r.jt))).toEqual(readable(copied.map((r) => r.jt)));
    expect(copied.find((r) => r.n === 1)!.t).toBeNull();
    expect(copied.find((r) => r.n === 7)!.t).toBe('\\N');
    expect(copied.find((r) => r.n === 12)!.t).toHaveLength(300 * 1024);
  });

  it('thousands of rows over several COPY chunks arrive whole and in order, as through JSON', async () => {
    const rows = Array.from({ length: 3_000 }, (_, k) => [
      k,
      `row ${k}\t\r\\ ${'é\n'.repeat(k % 150)} 😀`,
      k * 3,
      k % 2 === 0,
      null,
      new Date(Date.UTC(2026, 0, 1) + k * 1_000),
      { k, text: `"${k}"\\\n` },
    ]);
    const viaCopy = await serverTable();
    const viaJsonPglite = await createTable(pglite);
    await copy.load(undefined, viaCopy, COLUMNS, rows);
    await jsonOnPglite.load(undefined, viaJsonPglite, COLUMNS, rows);
    const copied = await readBack(runtime.dataSource, viaCopy);
    expect(copied.map(({ jt: _jt, ...row }) => row)).toEqual(expectedRows(rows));
    expect(await readBack(pglite, viaJsonPglite)).toEqual(copied);
  });

  it('a uuid, int or timestamp cell is written without the escape test, so a malformed one is refused, never shifted into the next column', async () => {
    const table = await serverTable();
    await expect(copy.load(undefined, table, COLUMNS, [[1, null, null, null, 'not\ta-uuid', null, null]])).rejects.toThrow();
    await expect(copy.load(undefined, table, COLUMNS, [[2, null, null, null, null, '2026-01-01\t1', null]])).rejects.toThrow();
    expect(await count(runtime.dataSource, table)).toBe(0);
  });

  describe.each([
    ['COPY on the server', () => ({ loader: copy, ds: runtime.dataSource })],
    ['JSON on PGlite', () => ({ loader: jsonOnPglite, ds: pglite })],
  ])('%s', (_name, target) => {
    it('loading inside a transaction that is rolled back leaves no row; one that commits keeps them', async () => {
      const { loader, ds } = target();
      const table = ds === pglite ? await createTable(pglite) : await serverTable();
      const uow = new TypeormUnitOfWork(ds);
      await expect(
        uow.transaction(async (tx) => {
          await loader.load(tx, table, COLUMNS, ROWS);
          const [{ c }] = await sqlRunner(ds, tx).query<{ c: number }>(`SELECT count(*)::int AS c FROM ${table}`);
          expect(c).toBe(ROWS.length); // visible inside
          throw new Error('a later step failed');
        }),
      ).rejects.toThrow('a later step failed');
      expect(await count(ds, table)).toBe(0);

      await uow.transaction((tx) => loader.load(tx, table, COLUMNS, ROWS.slice(0, 3)));
      expect((await readBack(ds, table)).map((r) => r.n)).toEqual([1, 2, 3]);
    });

    it('on a connection the caller holds, rows go into its TEMP table, and the connection stays the caller\'s', async () => {
      const { loader, ds } = target();
      const runner = ds.createQueryRunner();
      await runner.connect();
      try {
        const table = newTableName();
        await runner.query(`CREATE TEMP TABLE ${table} (n int PRIMARY KEY, t text, i int, b boolean, u uuid, ts timestamptz, j jsonb)`);
        await loader.load(runner, table, COLUMNS, ROWS);
        await loader.load(runner, table, COLUMNS, [[100, 'second load, same connection', null, null, null, null, null]]);
        const rows = (await runner.query(`SELECT n, t FROM ${table} ORDER BY n`)) as { n: number; t: string | null }[];
        expect(readable(rows)).toEqual(readable([...ROWS.map(([n, t]) => ({ n, t })), { n: 100, t: 'second load, same connection' }]));
        expect(runner.isReleased).toBe(false);
      } finally {
        await runner.release();
      }
    });

    it('loading zero rows is a no-op, with or without a transaction', async () => {
      const { loader, ds } = target();
      const table = ds === pglite ? await createTable(pglite) : await serverTable();
      await loader.load(undefined, table, COLUMNS, []);
      await new TypeormUnitOfWork(ds).transaction((tx) => loader.load(tx, table, COLUMNS, []));
      // No statement is sent at all: not even a table that does not exist is noticed.
      await loader.load(undefined, 'no_such_table_anywhere', COLUMNS, []);
      expect(await count(ds, table)).toBe(0);
    });

    it('a unique violation fails the whole load with code 23505 and the constraint named, writing nothing', async () => {
      const { loader, ds } = target();
      const table = ds === pglite ? await createTable(pglite) : await serverTable();
      await expect(loader.load(undefined, table, COLUMNS, [ROWS[0], ROWS[1], ROWS[0]])).rejects.toMatchObject({ code: '23505', constraint: `${table}_pkey` });
      // Against a row already there, inside a transaction (the event store's stale append).
      await loader.load(undefined, table, COLUMNS, [ROWS[2]]);
      await expect(
        new TypeormUnitOfWork(ds).transaction((tx) => loader.load(tx, table, COLUMNS, [ROWS[0], ROWS[2]])),
      ).rejects.toMatchObject({ code: '23505', constraint: `${table}_pkey` });
      expect((await readBack(ds, table)).map((r) => r.n)).toEqual([3]);
    });
  });

  // One pooled connection: a COPY that failed must hand it back released and usable, or the next load hangs.
  it('after COPY fails, early or deep into a large load, the pooled connection is released and works', async () => {
    const single = createDataSource(testDatabaseUrl(), 1);
    await single.initialize();
    try {
      const table = await serverTable();
      const loader = new BulkLoader(single, true);
      const many = Array.from({ length: 40_000 }, (_, k) => [k, `value ${k} ${'x'.repeat(40)}`, k, null, null, null, null]);
      // Duplicate near the start: the server refuses while the client is still streaming megabytes.
      await expect(loader.load(undefined, table, COLUMNS, [many[0], ...many])).rejects.toMatchObject({ code: '23505', constraint: `${table}_pkey` });
      // Duplicate at the very end.
      await expect(loader.load(undefined, table, COLUMNS, [...many, many[0]])).rejects.toMatchObject({ code: '23505', constraint: `${table}_pkey` });
      for (let k = 0; k < 3; k++) await loader.load(undefined, table, COLUMNS, [[1_000_000 + k, 'after', null, null, null, null, null]]);
      await loader.load(undefined, table, COLUMNS, many);
      expect(await count(single, table)).toBe(many.length + 3);
    } finally {
      await single.destroy();
    }
  });
});
