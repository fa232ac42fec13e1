import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../../src/shared/infrastructure/database/embedded-postgres.js';

describe('embedded PostgreSQL (PGlite over the wire protocol)', () => {
  let dir: string;
  let embedded: EmbeddedPostgres;
  let pool: pg.Pool;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocu-pglite-'));
    embedded = await startEmbeddedPostgres(dir);
    pool = new pg.Pool({ connectionString: embedded.url, max: 8 });
  });

  afterAll(async () => {
    await pool.end();
    await embedded.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers parameterised queries from many connections at once, each with its own result', async () => {
    const sums = await Promise.all(Array.from({ length: 300 }, (_, i) => pool.query<{ s: number }>('SELECT $1::int + $2::int AS s', [i, 1])));
    expect(sums.map((r) => r.rows[0].s)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });

  // PGlite is one backend: other connections' queries wait for an open transaction to end, then run.
  it('lets other connections query while a transaction is open, and they see it committed', async () => {
    await pool.query('CREATE TABLE t (n int)');
    const writer = await pool.connect();
    await writer.query('BEGIN');
    await writer.query('INSERT INTO t VALUES ($1)', [1]);
    const outside = Promise.all(Array.from({ length: 20 }, () => pool.query<{ c: string }>('SELECT count(*) AS c FROM t WHERE n = $1', [1])));
    await writer.query('COMMIT');
    writer.release();
    expect((await outside).map((r) => Number(r.rows[0].c))).toEqual(Array(20).fill(1));
    expect(Number((await pool.query('SELECT count(*) AS c FROM t')).rows[0].c)).toBe(1);
  });
});
