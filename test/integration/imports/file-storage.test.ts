/**
 * The import file storage in PostgreSQL, on both of its paths (a binary COPY on a server; INSERTs of chunk groups
 * where there is no COPY, as on the embedded database): a file read back is the file uploaded, byte for byte,
 * whatever pieces it arrived in, and a file refused as too large keeps nothing and leaves the pool usable.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { OpenRuntime } from '../../../src/bootstrap.js';
import { FileTooLargeError } from '../../../src/modules/imports/application/ports/import-file-storage.port.js';
import { PostgresImportFileStorage } from '../../../src/modules/imports/infrastructure/persistence/postgres-import-file-storage.adapter.js';
import { BulkLoader } from '../../../src/shared/infrastructure/database/bulk-loader.js';
import { openTestRuntime } from '../../support/database.js';

let runtime: OpenRuntime;
beforeAll(async () => {
  runtime = await openTestRuntime();
});
afterAll(() => runtime.close());

/** 2.6 MiB of every byte value (NUL, CR, LF, 0xFF…), so no text decoding anywhere could pass it unharmed. */
const file = Buffer.alloc(2.6 * 1024 * 1024);
for (let i = 0; i < file.length; i++) file[i] = (i * 31 + (i >> 11)) & 0xff;

/** The file in pieces of the given sizes, the last taking the rest: as an upload's stream hands them over. */
async function* piecesOf(bytes: Buffer, sizes: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const size of sizes) {
    yield new Uint8Array(bytes.buffer, bytes.byteOffset + at, Math.min(size, bytes.length - at));
    at += size;
  }
  if (at < bytes.length) yield bytes.subarray(at);
}

async function readBack(storage: PostgresImportFileStorage, importId: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of storage.open(importId)) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

const chunkRows = async (importId: string) =>
  runtime.dataSource.query<{ chunk_no: number; bytes: number }[]>(
    `SELECT chunk_no, length(data) AS bytes FROM import_files WHERE import_id = $1 ORDER BY chunk_no`,
    [importId],
  );

describe.each([
  ['a binary COPY', true],
  ['INSERTs of chunk groups (no COPY)', false],
])('PostgresImportFileStorage by %s', (_, copy) => {
  const storage = () => new PostgresImportFileStorage(runtime.dataSource, new BulkLoader(runtime.dataSource, copy));

  it.each([
    ['small pieces', [1, 65_536, 7, 100_000]],
    ['one piece larger than a chunk', [3 * 1024 * 1024]],
    ['pieces ending exactly on a chunk', [512 * 1024, 512 * 1024, 1024 * 1024]],
  ])('reads back the file byte for byte, in 1 MiB chunks, from %s', async (_, sizes) => {
    const importId = randomUUID();
    const stored = await storage().save(importId, piecesOf(file, sizes), 10 * 1024 * 1024);
    expect(stored.sizeBytes).toBe(file.length);
    expect(stored.sha256).toBe(createHash('sha256').update(file).digest('hex'));
    expect((await readBack(storage(), importId)).equals(file)).toBe(true);
    expect((await chunkRows(importId)).map((r) => Number(r.bytes))).toEqual([1048576, 1048576, file.length - 2 * 1048576]);
    await storage().delete(importId);
    expect(await chunkRows(importId)).toEqual([]);
  });

  it('counts the lines: LF and lone CR each end one, CRLF once, and an unterminated last line counts', async () => {
    const text = Buffer.from('email\na@x.example\r\nb@x.example\rc@x.example');
    const stored = await storage().save(randomUUID(), piecesOf(text, [8, 1, 1]), 1024);
    expect(stored.lines).toBe(4);
  });

  it.each([
    ['UTF-16 LE', 'utf16le'],
    ['UTF-16 BE', 'utf16be'],
  ])('counts CRLF once in %s, as the progress of such a file counts its lines', async (_, encoding) => {
    const le = Buffer.from('\ufeffemail\r\na@x.example\r\nb@x.example\rc@x.example\r\n', 'utf16le');
    const text = encoding === 'utf16le' ? le : Buffer.from(le).swap16();
    const stored = await storage().save(randomUUID(), piecesOf(text, [text.length]), 1024);
    expect(stored.lines).toBe(4);
  });

  it('refuses a file past the limit with FileTooLargeError, keeps none of its chunks, and the pool goes on', async () => {
    const importId = randomUUID();
    const refused = storage().save(importId, piecesOf(file, [64 * 1024]), 2 * 1024 * 1024 + 5);
    await expect(refused).rejects.toBeInstanceOf(FileTooLargeError);
    expect(await chunkRows(importId)).toEqual([]);
    expect(await runtime.dataSource.query(`SELECT 1 AS ok`)).toEqual([{ ok: 1 }]);
  });
});
