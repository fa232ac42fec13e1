import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ImportFileRefusedError } from '../../../../src/modules/imports/domain/import-file-refused.error.js';
import { mapHeaders } from '../../../../src/modules/imports/domain/header-mapping.js';
import type { CsvReadItem } from '../../../../src/modules/imports/domain/csv-record.js';
import { UserRowValidator, type RowRejection, type ValidUserRow } from '../../../../src/modules/imports/domain/user-row.validator.js';
import { readCsvUserFile, type CsvReadOptions } from '../../../../src/modules/imports/infrastructure/csv/csv-user-file.reader.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/csv');

export function fixturePath(name: string): string {
  return join(FIXTURES, name);
}

export function fixtureBytes(name: string): Promise<Buffer> {
  return readFile(fixturePath(name));
}

/** A source delivering `bytes` in chunks of `chunkSize`, to exercise every chunk boundary. */
export function chunked(bytes: Uint8Array, chunkSize: number): AsyncIterable<Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, Math.min(bytes.length, i + chunkSize));
    },
  };
}

export function source(content: string | Uint8Array, chunkSize = 64 * 1024): AsyncIterable<Uint8Array> {
  return chunked(typeof content === 'string' ? Buffer.from(content, 'utf8') : content, chunkSize);
}

export async function readAll(input: AsyncIterable<Uint8Array>, options?: CsvReadOptions): Promise<CsvReadItem[]> {
  const items: CsvReadItem[] = [];
  for await (const item of readCsvUserFile(input, options)) items.push(item);
  return items;
}

/** The items, or the refusal the reader ended with. */
export async function readOutcome(
  input: AsyncIterable<Uint8Array>,
  options?: CsvReadOptions,
): Promise<{ items: CsvReadItem[]; refusal?: ImportFileRefusedError }> {
  const items: CsvReadItem[] = [];
  try {
    for await (const item of readCsvUserFile(input, options)) items.push(item);
    return { items };
  } catch (error) {
    if (error instanceof ImportFileRefusedError) return { items, refusal: error };
    throw error;
  }
}

export interface ImportOutcome {
  readonly refusal?: { code: string; error: string; line?: number };
  readonly warnings: string[];
  readonly valid: ValidUserRow[];
  /** Rejected lines: the validator's, and the reader's problems (with the problem code as `field`). */
  readonly rejected: Array<RowRejection | { line: number; field: string; error: string }>;
}

/** What my piece hands the application: read, map the header, validate each record. */
export async function importOutcome(input: AsyncIterable<Uint8Array>, options?: CsvReadOptions & { defaultRegion?: string }): Promise<ImportOutcome> {
  const outcome: ImportOutcome = { warnings: [], valid: [], rejected: [] };
  let validator: UserRowValidator | undefined;
  try {
    for await (const item of readCsvUserFile(input, options)) {
      if (item.kind === 'header') {
        const mapped = mapHeaders(item.fields);
        if (!mapped.ok) return { ...outcome, refusal: { code: mapped.code, error: mapped.error } };
        outcome.warnings.push(...mapped.warnings);
        validator = new UserRowValidator(mapped.mapping, { defaultRegion: options?.defaultRegion });
      } else if (item.kind === 'problem') {
        outcome.rejected.push({ line: item.line, field: item.code, error: item.error });
      } else {
        const result = validator!.validate(item);
        if (result.ok) outcome.valid.push(result.row);
        else outcome.rejected.push(result.rejection);
      }
    }
  } catch (error) {
    if (error instanceof ImportFileRefusedError) return { ...outcome, refusal: { code: error.code, error: error.message, line: error.line } };
    throw error;
  }
  return outcome;
}

export function fileSource(name: string): AsyncIterable<Uint8Array> {
  return createReadStream(fixturePath(name));
}

export { Readable };
