/**
 * copyOutBinaryColumn: a one-column binary COPY read back as the rows' bytes one after the other, whatever the
 * sizes of the rows and of the chunks the socket hands over, and a reader that stops early leaves the connection
 * usable.
 */
import { randomBytes } from 'node:crypto';
import type { OpenRuntime } from '../../../src/bootstrap.js';
import { copyOutBinaryColumn } from '../../../src/shared/infrastructure/database/copy-out.js';
import { openTestRuntime } from '../../support/database.js';

let runtime: OpenRuntime;
const table = `copy_out_${randomBytes(4).toString('hex')}`;
// Empty, tiny, every byte value (COPY's text format would escape some), and values longer than a socket read.
const VALUES = [Buffer.alloc(0), Buffer.from([0]), Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(70_001), randomBytes(1024 * 1024 + 3), randomBytes(5)];

beforeAll(async () => {
  runtime = await openTestRuntime({ DB_POOL_SIZE: '2' });
  await runtime.dataSource.query(`CREATE TABLE ${table} (n int PRIMARY KEY, data bytea NOT NULL)`);
  for (const [n, value] of VALUES.entries()) await runtime.dataSource.query(`INSERT INTO ${table} VALUES ($1, $2)`, [n, value]);
});
afterAll(async () => {
  await runtime.dataSource.query(`DROP TABLE IF EXISTS ${table}`);
  await runtime.close();
});

describe('copyOutBinaryColumn', () => {
  it('gives the bytes of every row, in order, byte for byte', async () => {
    const pieces: Buffer[] = [];
    for await (const piece of copyOutBinaryColumn(runtime.dataSource, `SELECT data FROM ${table} ORDER BY n`)) pieces.push(Buffer.from(piece));
    expect(Buffer.concat(pieces).equals(Buffer.concat(VALUES))).toBe(true);
    expect(pieces.length).toBeGreaterThan(VALUES.length - 2);
  });

  it('no rows: no bytes', async () => {
    const pieces: Buffer[] = [];
    for await (const piece of copyOutBinaryColumn(runtime.dataSource, `SELECT data FROM ${table} WHERE n < 0`)) pieces.push(piece);
    expect(pieces).toEqual([]);
  });

  it('a reader that stops after the first piece leaves the connection usable: the pool of two serves two queries at once after it', async () => {
    for await (const piece of copyOutBinaryColumn(runtime.dataSource, `SELECT data FROM ${table} ORDER BY n DESC`)) {
      expect(piece.length).toBeGreaterThan(0);
      break;
    }
    const counts = await Promise.all([1, 2].map(() => runtime.dataSource.query(`SELECT count(*)::int AS n, pg_sleep(0.05) FROM ${table}`)));
    expect(counts.map(([{ n }]) => n)).toEqual([VALUES.length, VALUES.length]);
  });

  it('a row that is not one bytea column fails, naming what it got', async () => {
    const read = async () => {
      for await (const piece of copyOutBinaryColumn(runtime.dataSource, `SELECT data, n FROM ${table}`)) void piece;
    };
    await expect(read()).rejects.toThrow('Expected one column per row, got 2');
  });
});
