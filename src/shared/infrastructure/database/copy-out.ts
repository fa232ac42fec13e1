import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import { BINARY_COPY_SIGNATURE } from './binary-copy.js';

/** PostgreSQL's binary COPY header: the signature, then 32-bit flags and the length of an extension to skip. */
const SIGNATURE_BYTES = BINARY_COPY_SIGNATURE.length;
const HEADER_BYTES = SIGNATURE_BYTES + 4 + 4;

/**
 * The bytes of a one-column binary COPY (`COPY (SELECT bytea_column …) TO STDOUT (FORMAT binary)`), the rows' values
 * one after the other, as they arrive: no row is held whole, nothing is hex-decoded (reading an import's file this
 * way took a sixth of the time of selecting its chunks, which a bytea comes back as hex text).
 */
export async function* copyOutBinaryColumn(dataSource: DataSource, sql: string): AsyncGenerator<Buffer, void, undefined> {
  const runner = dataSource.createQueryRunner();
  const client = (await runner.connect()) as PoolClient;
  const stream = client.query(copyTo(`COPY (${sql}) TO STDOUT (FORMAT binary)`));
  try {
    // Fixed-size parts (the header, a row's field count, a field's length) may straddle two chunks: kept here.
    let pending = Buffer.alloc(0);
    let need = HEADER_BYTES;
    let state: 'header' | 'extension' | 'fields' | 'length' | 'value' | 'done' = 'header';
    let valueLeft = 0;
    // Not destroyed when the loop is left early: the connection must read the COPY to its end (see finally).
    for await (const arrived of stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      let chunk = arrived;
      while (chunk.length > 0 && state !== 'done') {
        if (state === 'value') {
          const take = Math.min(valueLeft, chunk.length);
          yield chunk.subarray(0, take);
          chunk = chunk.subarray(take);
          valueLeft -= take;
          if (valueLeft === 0) [state, need] = ['fields', 2];
          continue;
        }
        const take = Math.min(need - pending.length, chunk.length);
        pending = Buffer.concat([pending, chunk.subarray(0, take)]);
        chunk = chunk.subarray(take);
        if (pending.length < need) break;
        const part = pending;
        pending = Buffer.alloc(0);
        if (state === 'header') {
          if (part.toString('latin1', 0, SIGNATURE_BYTES) !== BINARY_COPY_SIGNATURE) throw new Error('Not a binary COPY stream');
          const extension = part.readUInt32BE(SIGNATURE_BYTES + 4);
          [state, need] = extension > 0 ? ['extension', extension] : ['fields', 2];
        } else if (state === 'extension') {
          [state, need] = ['fields', 2];
        } else if (state === 'fields') {
          const fields = part.readInt16BE(0);
          if (fields === -1) state = 'done';
          else if (fields !== 1) throw new Error(`Expected one column per row, got ${fields}`);
          else [state, need] = ['length', 4];
        } else {
          const length = part.readInt32BE(0);
          if (length < 0) throw new Error('A NULL value in a column of bytes');
          [state, need, valueLeft] = length === 0 ? ['fields', 2, 0] : ['value', 0, length];
        }
      }
    }
    if (state !== 'done') throw new Error('The COPY stream ended in the middle of a row');
  } finally {
    // A reader that stops early leaves the COPY running: the rest is read and dropped, so the connection goes back
    // to the pool ready for its next query (a whole import file streams in a fraction of a second).
    if (!stream.readableEnded && !stream.destroyed) for await (const rest of stream) void rest;
    await runner.release();
  }
}
