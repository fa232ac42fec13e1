import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BulkLoader } from '../../../../shared/infrastructure/database/bulk-loader.js';
import { copyOutBinaryColumn } from '../../../../shared/infrastructure/database/copy-out.js';
import { FileTooLargeError, ImportFileStorage, type StoredFile } from '../../application/ports/import-file-storage.port.js';

const CHUNK_BYTES = 1024 * 1024;
// Chunks written per INSERT: bounds both memory and round trips.
const CHUNKS_PER_INSERT = 4;

/** LF, and CR not followed by LF (old Mac files): CRLF counts once. An upper bound on the lines a chunk ends. */
function countLineBreaks(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  for (let i = buf.indexOf(13); i !== -1; i = buf.indexOf(13, i + 1)) if (buf[i + 1] !== 10) n++;
  return n;
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

  async save(importId: string, content: AsyncIterable<Uint8Array>, maxBytes: number): Promise<StoredFile> {
    const hash = createHash('sha256');
    let size = 0;
    let lineBreaks = 0;
    let lastByte: number | undefined;
    let chunkNo = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const ready: Buffer[] = [];
    // One group of chunks is written while the next is read and hashed.
    let writing: Promise<unknown> = Promise.resolve();
    const flush = async () => {
      if (ready.length === 0) return;
      await writing;
      // One parameter per chunk: the driver sends a Buffer as binary, where an array of them goes as hex text.
      const chunks = ready.splice(0);
      const values = chunks.map((_, i) => `($1, $${2 * i + 2}, $${2 * i + 3})`).join(', ');
      writing = this.dataSource.query(`INSERT INTO import_files (import_id, chunk_no, data) VALUES ${values}`, [
        importId,
        ...chunks.flatMap((chunk) => [chunkNo++, chunk]),
      ]);
      // Awaited by the next flush or at the end; marked handled so a failure in between is not "unhandled".
      writing.catch(() => undefined);
    };
    try {
      for await (const piece of content) {
        const buf = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
        size += buf.length;
        if (size > maxBytes) throw new FileTooLargeError(maxBytes);
        hash.update(buf);
        lineBreaks += countLineBreaks(buf);
        if (buf.length > 0) lastByte = buf[buf.length - 1];
        pending.push(buf);
        pendingBytes += buf.length;
        while (pendingBytes >= CHUNK_BYTES) {
          const all = Buffer.concat(pending);
          ready.push(all.subarray(0, CHUNK_BYTES));
          pending = [all.subarray(CHUNK_BYTES)];
          pendingBytes = pending[0].length;
          if (ready.length >= CHUNKS_PER_INSERT) await flush();
        }
      }
      if (pendingBytes > 0) ready.push(Buffer.concat(pending));
      await flush();
      await writing;
    } catch (error) {
      await writing.catch(() => undefined);
      await this.delete(importId);
      throw error;
    }
    const unterminated = lastByte !== undefined && lastByte !== 10 && lastByte !== 13;
    return { sizeBytes: size, sha256: hash.digest('hex'), lines: lineBreaks + (unterminated ? 1 : 0) };
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
}
