export interface StoredFile {
  readonly sizeBytes: number;
  readonly sha256: string;
  /** CR and LF bytes in the file: a cheap upper bound on its lines, so most files need no counting pass. */
  readonly lineBreaks: number;
}

export class FileTooLargeError extends Error {
  override readonly name = 'FileTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`The file is larger than the ${Math.round(maxBytes / 1024 / 1024)} MiB an import accepts; split it into several files.`);
  }
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
}
