/**
 * CsvUserFileParser reading in the background, on its parsing thread (the compiled worker in dist/): for every file
 * of the bad-input corpus it gives exactly what reading on the caller's thread gives (columns, warnings, every line,
 * or the same refusal), a large file arrives whole while the caller takes its time, and stopping early lets go of
 * the file and the thread.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FileRefusedError, type ParseOptions, type ParsedUserLine } from '../../../src/modules/imports/application/ports/user-file-parser.port.js';
import { CsvUserFileParser } from '../../../src/modules/imports/infrastructure/csv/csv-user-file.parser.js';
import { chunked, fixtureBytes, FIXTURES } from '../../unit/imports/support/import-file.js';
import { ensureBuilt, ROOT } from './support/service-process.js';

const WORKER = pathToFileURL(join(ROOT, 'dist/modules/imports/infrastructure/csv/csv-user-file.worker.js'));
const inThread = new CsvUserFileParser(null);
let onThread: CsvUserFileParser;

beforeAll(() => {
  ensureBuilt();
  onThread = new CsvUserFileParser(WORKER);
});

type Outcome = { refused: { reason: string; message: string; line?: number } } | { columns: unknown; warnings: unknown; lines: ParsedUserLine[]; runs: number[] };

async function outcome(parser: CsvUserFileParser, content: AsyncIterable<Uint8Array>, options: ParseOptions): Promise<Outcome> {
  try {
    const file = await parser.open(content, options);
    const lines: ParsedUserLine[] = [];
    const runs: number[] = [];
    for await (const run of file.lines) {
      runs.push(run.count);
      for (let i = 0; i < run.count; i++) lines.push(run.read(i));
    }
    return { columns: file.columns, warnings: file.warnings, lines, runs };
  } catch (error) {
    if (error instanceof FileRefusedError) return { refused: { reason: error.reason, message: error.message, line: error.line } };
    throw error;
  }
}

describe('reading on the parsing thread', () => {
  const files = readdirSync(FIXTURES).filter((f) => !f.endsWith('.md') && !f.endsWith('.mjs'));

  it.each(files)('%s: the same as on the caller\'s thread', async (name) => {
    const bytes = await fixtureBytes(name);
    const options = { maxRows: 1_000, linesPerRun: 3 };
    const expected = await outcome(inThread, chunked(bytes, 7), options);
    const actual = await outcome(onThread, chunked(bytes, 7), { ...options, inBackground: true });
    expect(actual).toEqual(expected);
  });

  it('values holding the packing\'s own separators come out as written, on either thread', async () => {
    const bytes = await fixtureBytes('control-characters.csv');
    for (const [parser, inBackground] of [[inThread, false], [onThread, true]] as const) {
      const result = await outcome(parser, chunked(bytes, 64), { maxRows: 100, linesPerRun: 4, inBackground });
      if ('refused' in result) throw new Error(`refused: ${result.refused.message}`);
      const ann = result.lines.find((l) => l.kind === 'row' && l.row.line === 3);
      expect(ann).toMatchObject({ kind: 'row', row: { name: 'Ann\x1fLee', title: 'Chief\x1cOfficer', emailKey: 'ann@example.com', fields: ['Ann\x1fLee', 'ann@example.com', 'Chief\x1cOfficer'] } });
    }
  });

  it('too many rows: refused after the rows allowed, as on the caller\'s thread', async () => {
    const bytes = Buffer.from(['email/login,name', ...Array.from({ length: 50 }, (_, i) => `u${i}@acme.example,U${i}`)].join('\n'));
    const options = { maxRows: 20, linesPerRun: 8 };
    const readAll = async (parser: CsvUserFileParser, inBackground: boolean) => {
      const file = await parser.open(chunked(bytes, 64), { ...options, inBackground });
      const seen: number[] = [];
      try {
        for await (const run of file.lines) for (let i = 0; i < run.count; i++) seen.push(run.lineAt(i));
      } catch (error) {
        return { seen, refused: (error as FileRefusedError).reason };
      }
      return { seen, refused: null };
    };
    const actual = await readAll(onThread, true);
    expect(actual).toEqual(await readAll(inThread, false));
    expect(actual.refused).toBe('too-many-rows');
  });

  it('a 200,000-line file arrives whole and in order while the caller is slow, never more than a few runs ahead', async () => {
    const lines = ['email/login,name,Mobile', ...Array.from({ length: 200_000 }, (_, i) => `user${i}@acme.example,User ${i},+44 7911 ${String(100000 + (i % 900000))}`)];
    let pulled = 0;
    const bytes = Buffer.from(lines.join('\n'));
    const source = (async function* () {
      for (let i = 0; i < bytes.length; i += 16_384) {
        pulled = i;
        yield bytes.subarray(i, i + 16_384);
      }
    })();
    const file = await onThread.open(source, { maxRows: 1_000_000, linesPerRun: 5_000, inBackground: true });
    let next = 2;
    let mostAhead = 0;
    for await (const run of file.lines) {
      for (let i = 0; i < run.count; i++) expect(run.lineAt(i)).toBe(next++);
      expect(run.emailKeyAt(0)).toBe(`user${run.lineAt(0) - 2}@acme.example`);
      // What the thread has pulled beyond the lines handed over: its runs ahead, and a few pieces of bytes.
      const handedBytes = lines.slice(0, next - 1).join('\n').length;
      mostAhead = Math.max(mostAhead, pulled - handedBytes);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(next).toBe(200_002);
    // Two runs ahead plus the one being parsed and a few pieces: well under a fifth of this 7 MB file.
    expect(mostAhead).toBeLessThan(bytes.length / 5);
  });

  it('stopping after the first run closes the source and ends the thread', async () => {
    let closed = false;
    const source = (async function* () {
      try {
        for (let i = 0; ; i++) yield Buffer.from(i === 0 ? 'email/login,name\n' : `u${i}@acme.example,U${i}\n`.repeat(1_000));
      } finally {
        closed = true;
      }
    })();
    const file = await onThread.open(source, { maxRows: 10_000_000, linesPerRun: 100, inBackground: true });
    for await (const run of file.lines) {
      expect(run.count).toBe(100);
      break;
    }
    expect(closed).toBe(true);
  });

  it('a source that fails fails the reading with its error', async () => {
    const source = (async function* () {
      yield Buffer.from('email/login,name\nann@acme.example,Ann\n'.repeat(10));
      throw new Error('the storage went away');
    })();
    const file = await onThread.open(source, { maxRows: 1_000, linesPerRun: 2, inBackground: true }).catch((e: Error) => e);
    const read = async () => {
      if (file instanceof Error) throw file;
      for await (const run of file.lines) void run;
    };
    await expect(read()).rejects.toThrow('the storage went away');
  });
});
