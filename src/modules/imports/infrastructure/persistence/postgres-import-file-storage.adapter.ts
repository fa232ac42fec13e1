import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BINARY_COPY_HEADER, BINARY_COPY_TRAILER } from '../../../../shared/infrastructure/database/binary-copy.js';
import { BulkLoader } from '../../../../shared/infrastructure/database/bulk-loader.js';
import { copyOutBinaryColumn } from '../../../../shared/infrastructure/database/copy-out.js';
import { FileTooLargeError, ImportFileStorage, type KeptFile, type StoredFile } from '../../application/ports/import-file-storage.port.js';
import { LineCounter } from './line-counter.js';

const CHUNK_BYTES = 1024 * 1024;
// Chunks written per INSERT on the embedded database: bounds both memory and round trips.
const CHUNKS_PER_INSERT = 4;
const UUID_BYTES = 16;
// A row's fields before its bytes: the field count, then import_id and chunk_no with their lengths, then data's length.
const ROW_PREFIX_BYTES = 2 + 4 + UUID_BYTES + 4 + 4 + 4;

/** CHUNK_BYTES of the file (less for the last), as the pieces it arrived in: never copied into one buffer. */
interface Chunk {
  readonly pieces: readonly Buffer[];
  readonly bytes: number;
}

/** An upload cut into chunks as it arrives, hashed and its lines counted on the way; refused past maxBytes. */
class ChunkedUpload {
  private readonly hash = createHash('sha256');
  private size = 0;
  private readonly lines = new LineCounter();

  constructor(private readonly maxBytes: number) {}

  async *chunks(content: AsyncIterable<Uint8Array>): AsyncGenerator<Chunk, void, undefined> {
    let pieces: Buffer[] = [];
    let bytes = 0;
    for await (const piece of content) {
      let buf = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      this.size += buf.length;
      if (this.size > this.maxBytes) throw new FileTooLargeError(this.maxBytes);
      this.hash.update(buf);
      this.lines.add(buf);
      while (bytes + buf.length >= CHUNK_BYTES) {
        const take = CHUNK_BYTES - bytes;
        pieces.push(buf.subarray(0, take));
        yield { pieces, bytes: CHUNK_BYTES };
        [pieces, bytes, buf] = [[], 0, buf.subarray(take)];
      }
      if (buf.length > 0) {
        pieces.push(buf);
        bytes += buf.length;
      }
    }
    if (bytes > 0) yield { pieces, bytes };
  }

  stored(): StoredFile {
    return { sizeBytes: this.size, sha256: this.hash.digest('hex'), lines: this.lines.total() };
  }
}

/** The chunks as the rows of a binary COPY into import_files: each chunk's pieces follow its row's prefix as they are. */
async function* binaryCopyRows(importId: string, chunks: AsyncIterable<Chunk>): AsyncGenerator<Buffer, void, undefined> {
  const id = Buffer.from(importId.replace(/-/g, ''), 'hex');
  if (id.length !== UUID_BYTES) throw new Error(`Not an import id: ${importId}`);
  yield BINARY_COPY_HEADER;
  let chunkNo = 0;
  for await (const chunk of chunks) {
    const prefix = Buffer.allocUnsafe(ROW_PREFIX_BYTES);
    let at = prefix.writeInt16BE(3, 0);
    at = prefix.writeInt32BE(UUID_BYTES, at);
    at += id.copy(prefix, at);
    at = prefix.writeInt32BE(4, at);
    at = prefix.writeInt32BE(chunkNo++, at);
    prefix.writeInt32BE(chunk.bytes, at);
    yield prefix;
    yield* chunk.pieces;
  }
  yield BINARY_COPY_TRAILER;
}

/** Files in PostgreSQL, 1 MiB per row, so every instance can read them and none holds a file whole. */
@Injectable()
export class PostgresImportFileStorage extends ImportFileStorage {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bulk: BulkLoader,
  ) {
    super();
  }

  /**
   * On a PostgreSQL server, one binary COPY as the file arrives (1.9 s for a 143 MB file, against 3.1 s by INSERTs
   * of four chunks, whose parameters the driver copied twice); a refused file aborts it, keeping no chunk.
   */
  async save(importId: string, content: AsyncIterable<Uint8Array>, maxBytes: number): Promise<StoredFile> {
    const upload = new ChunkedUpload(maxBytes);
    try {
      if (this.bulk.copySupported) {
        const copy = `COPY import_files (import_id, chunk_no, data) FROM STDIN (FORMAT binary)`;
        await this.bulk.copyIn(undefined, copy, binaryCopyRows(importId, upload.chunks(content)));
      } else {
        await this.insertChunks(importId, upload.chunks(content));
      }
    } catch (error) {
      await this.delete(importId);
      throw error;
    }
    return upload.stored();
  }

  /** A group of chunks per INSERT, written while the next group is read. */
  private async insertChunks(importId: string, chunks: AsyncIterable<Chunk>): Promise<void> {
    let chunkNo = 0;
    let group: Buffer[] = [];
    let writing: Promise<unknown> = Promise.resolve();
    const flush = async () => {
      await writing;
      // One parameter per chunk: the driver sends a Buffer as binary, where an array of them goes as hex text.
      const values = group.map((_, i) => `($1, $${2 * i + 2}, $${2 * i + 3})`).join(', ');
      writing = this.dataSource.query(`INSERT INTO import_files (import_id, chunk_no, data) VALUES ${values}`, [
        importId,
        ...group.flatMap((chunk) => [chunkNo++, chunk]),
      ]);
      // Awaited by the next flush or at the end; marked handled so a failure in between is not "unhandled".
      writing.catch(() => undefined);
      group = [];
    };
    try {
      for await (const chunk of chunks) {
        group.push(Buffer.concat(chunk.pieces, chunk.bytes));
        if (group.length === CHUNKS_PER_INSERT) await flush();
      }
      if (group.length > 0) await flush();
    } catch (error) {
      // Settled before the caller deletes what was written.
      await writing.catch(() => undefined);
      throw error;
    }
    await writing;
  }

  /**
   * The file's bytes in order: one binary COPY on a PostgreSQL server; on the embedded PGlite (no COPY), the chunks
   * a group at a time, the next group already on its way while the current one is consumed.
   */
  async *open(importId: string): AsyncIterable<Uint8Array> {
    if (this.bulk.copySupported) {
      if (!/^[0-9a-f-]{36}$/i.test(importId)) throw new Error(`Not an import id: ${importId}`);
      // COPY takes no parameters; the id is checked above.
      yield* copyOutBinaryColumn(this.dataSource, `SELECT data FROM import_files WHERE import_id = '${importId}' ORDER BY chunk_no`);
      return;
    }
    let next = this.readChunks(importId, 0);
    for (let chunk = 0; ; chunk += CHUNKS_PER_INSERT) {
      const rows = await next;
      if (rows.length === CHUNKS_PER_INSERT) {
        next = this.readChunks(importId, chunk + CHUNKS_PER_INSERT);
        // Awaited in the next round; marked handled in case the reader stops before then.
        next.catch(() => undefined);
      }
      yield* rows;
      if (rows.length < CHUNKS_PER_INSERT) return;
    }
  }

  private async readChunks(importId: string, from: number): Promise<Buffer[]> {
    // Text format on purpose: pg decodes binary-format values as UTF-8 text, which corrupts a Windows-1252 or
    // UTF-16 file; bytea's hex text comes back byte for byte.
    const rows = await this.dataSource.query<{ data: Buffer }[]>(
      `SELECT data FROM import_files WHERE import_id = $1 AND chunk_no >= $2 AND chunk_no < $3 ORDER BY chunk_no`,
      [importId, from, from + CHUNKS_PER_INSERT],
    );
    return rows.map((r) => r.data);
  }

  async delete(importId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM import_files WHERE import_id = $1`, [importId]);
  }

  async kept(): Promise<KeptFile[]> {
    const rows = await this.dataSource.query<{ import_id: string; stored_at: Date }[]>(
      `SELECT import_id, max(stored_at) AS stored_at FROM import_files GROUP BY import_id`,
    );
    return rows.map((r) => ({ importId: r.import_id, storedAt: new Date(r.stored_at) }));
  }
}
