import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { UnknownCursorError } from '../../application/application-errors.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const keys = new WeakMap<DataSource, Promise<Buffer>>();

function keyOf(dataSource: DataSource): Promise<Buffer> {
  let key = keys.get(dataSource);
  if (!key) {
    key = dataSource.query<{ key: Uint8Array }[]>(`SELECT key FROM cursor_key`).then(
      ([row]) => Buffer.from(row.key),
      (error: unknown) => {
        // Not kept: the next page asks the database again.
        keys.delete(dataSource);
        throw error;
      },
    );
    keys.set(dataSource, key);
  }
  return key;
}

/**
 * A list's position as an opaque cursor: AES-256-GCM sealed with the database's cursor key, for `scope` (the list
 * and its network). A cursor is then of this API, for this network's list, and says nothing of what it holds (the
 * users list's position is an e-mail address, which a plain cursor put in URLs and access logs).
 */
export async function sealCursor(dataSource: DataSource, scope: string, position: string): Promise<string> {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', await keyOf(dataSource), iv).setAAD(Buffer.from(scope, 'utf8'));
  const sealed = Buffer.concat([cipher.update(position, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
}

/** The position a cursor sealCursor gave for `scope` holds; any other text (made up, cut short, another network's) is an UnknownCursorError. */
export async function openCursor(dataSource: DataSource, scope: string, cursor: string): Promise<string> {
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes.length <= IV_BYTES + TAG_BYTES || bytes.toString('base64url') !== cursor) throw new UnknownCursorError();
  const decipher = createDecipheriv('aes-256-gcm', await keyOf(dataSource), bytes.subarray(0, IV_BYTES)).setAAD(Buffer.from(scope, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new UnknownCursorError();
  }
}
