export interface StoredFile {
  readonly sizeBytes: number;
  readonly sha256: string;
  /**
   * A cheap upper bound on the file's lines: its line breaks (CRLF once), plus one when the last line has none. The
   * heading takes one, so a file of at most maxRows + 1 lines needs no counting pass.
   */
  readonly lines: number;
}

/** 100 MiB, 512 KiB, 2,048 bytes: the limit as an admin reads it (a limit under 1 MiB was shown as "0 MiB"). */
function sizeText(bytes: number): string {
  const MiB = 1024 * 1024;
  if (bytes >= MiB) return `${Number.isInteger(bytes / MiB) ? bytes / MiB : (bytes / MiB).toFixed(1)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes.toLocaleString('en-US')} bytes`;
}

export class FileTooLargeError extends Error {
  override readonly name = 'FileTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`The file is larger than the ${sizeText(maxBytes)} an import accepts; split it into several files.`);
  }
}

/** A file in storage: whose import it is, and when its last part was written. */
export interface KeptFile {
  readonly importId: string;
  readonly storedAt: Date;
}

/**
 * Keeps uploaded files so any instance can process (or resume) an import. PostgreSQL by default; an object
 * store can take its place behind this port.
 */
export abstract class ImportFileStorage {
  /** Streams `content` into storage; throws FileTooLargeError (and keeps nothing) past `maxBytes`. */
  abstract save(importId: string, content: AsyncIterable<Uint8Array>, maxBytes: number): Promise<StoredFile>;
  abstract open(importId: string): AsyncIterable<Uint8Array>;
  abstract delete(importId: string): Promise<void>;
  /** Every file in storage. */
  abstract kept(): Promise<KeptFile[]>;
}
