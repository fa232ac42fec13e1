import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FileRefusedError, type ParsedLines, type ParsedUserFile, type ParseOptions, UserFileParser } from '../../application/ports/user-file-parser.port.js';
import { PackedLines } from './packed-lines.js';
import type { ParserData, ToParent, ToParser } from './parse-thread.protocol.js';
import { readUserFileRuns } from './user-file-runs.js';

/**
 * Bytes sent to the parsing thread per message, the storage's pieces gathered or cut to it. Small enough that the
 * text decoded from a piece (even as two-byte characters) stays under V8's 128 KiB large-object size, and the bytes
 * csv-parser makes of it under glibc's mmap threshold: pieces of 256 KiB took a million lines 13.1–14.1 s to parse
 * on the thread, against 10.5–11.7 s at 32 KiB (fewer full collections, no mmap and munmap per piece).
 */
const PIECE_BYTES = 32 * 1024;

/** The compiled parsing thread next to this module (absent when this module runs from its TypeScript source). */
const COMPILED_WORKER = new URL('./csv-user-file.worker.js', import.meta.url);

/**
 * The CSV reader and the row rules (readUserFileRuns) as the application's UserFileParser. A whole import is read
 * `inBackground` on a thread of its own: parsing takes as long as deciding and writing the lines, and the two then
 * run side by side. Without the compiled thread (the test runner runs the TypeScript sources), and for the
 * quick look at a heading an upload takes, it reads on the caller's thread.
 */
export class CsvUserFileParser extends UserFileParser {
  constructor(private readonly workerScript: URL | null = existsSync(fileURLToPath(COMPILED_WORKER)) ? COMPILED_WORKER : null) {
    super();
  }

  async open(content: AsyncIterable<Uint8Array>, options: ParseOptions): Promise<ParsedUserFile> {
    const runOptions = { maxRows: options.maxRows, defaultPhoneRegion: options.defaultPhoneRegion, linesPerRun: options.linesPerRun };
    if (options.inBackground && this.workerScript) return openOnThread(this.workerScript, content, { options: runOptions });
    const file = await readUserFileRuns(content, runOptions);
    async function* lines(): AsyncGenerator<ParsedLines> {
      for await (const run of file.runs) yield new PackedLines(run);
    }
    return { columns: file.columns, delimiter: file.delimiter, warnings: file.warnings, lines: lines(), close: file.close };
  }
}

async function openOnThread(script: URL, content: AsyncIterable<Uint8Array>, data: ParserData): Promise<ParsedUserFile> {
  // Its heap holds a few runs and the reader's state; the limits keep a runaway thread from taking the process down.
  // A young generation larger than the default: parsing allocates fast and little of it lives (a 1,000,000-line
  // import spent 1.5 s less CPU with 48 MB than with 16, and no more memory).
  const worker = new Worker(script, { workerData: data, resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 48 } });
  const source = content[Symbol.asyncIterator]();
  const inbox: ToParent[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  const deliver = (message: ToParent): void => {
    inbox.push(message);
    wake?.();
  };
  const post = (message: ToParser, transfer: ArrayBuffer[] = []): void => {
    if (!done) worker.postMessage(message, transfer);
  };

  // One piece at a time, in order: a pull that comes while a piece is being gathered waits for it.
  let pumping: Promise<void> = Promise.resolve();
  // What the last piece had no room for.
  let carry: Uint8Array | undefined;
  const pumpOne = async (): Promise<void> => {
    const pieces: Uint8Array[] = [];
    let bytes = 0;
    try {
      while (bytes < PIECE_BYTES) {
        let value = carry;
        carry = undefined;
        if (value === undefined) {
          const next = await source.next();
          if (next.done) break;
          value = next.value;
        }
        const room = PIECE_BYTES - bytes;
        if (value.length > room) [value, carry] = [value.subarray(0, room), value.subarray(room)];
        pieces.push(value);
        bytes += value.length;
      }
    } catch (error) {
      post({ type: 'fail', message: (error as Error).message ?? String(error) });
      return;
    }
    if (bytes === 0) {
      post({ type: 'end' });
      return;
    }
    // A copy the thread can own: the storage's pieces are views into the socket's buffers.
    const piece = new Uint8Array(bytes);
    let at = 0;
    for (const p of pieces) {
      piece.set(p, at);
      at += p.length;
    }
    post({ type: 'chunk', bytes: piece }, [piece.buffer]);
  };
  worker.on('message', (message: ToParent) => {
    if (message.type === 'pull') pumping = pumping.then(pumpOne);
    else deliver(message);
  });
  worker.on('error', (error) => deliver({ type: 'error', message: error.message, stack: error.stack }));
  worker.on('exit', (code) => {
    if (!done) deliver({ type: 'error', message: `The file's parsing thread stopped (exit code ${code}).` });
  });

  const take = async (): Promise<ToParent> => {
    while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
    return inbox.shift()!;
  };
  const close = async (): Promise<void> => {
    if (done) return;
    done = true;
    await worker.terminate();
    await pumping;
    await source.return?.();
  };
  const failure = (message: ToParent): Error => {
    if (message.type === 'refused') return new FileRefusedError(message.reason, message.message, message.line);
    if (message.type === 'error') return Object.assign(new Error(message.message), message.stack ? { stack: message.stack } : {});
    return new Error(`The file's parsing thread said ${message.type} out of turn.`);
  };

  const header = await take();
  if (header.type !== 'header') {
    await close();
    throw failure(header);
  }
  async function* lines(): AsyncGenerator<ParsedLines> {
    try {
      for (;;) {
        const message = await take();
        if (message.type === 'end') return;
        if (message.type !== 'run') throw failure(message);
        post({ type: 'more' });
        yield new PackedLines(message.run);
      }
    } finally {
      await close();
    }
  }
  return { columns: header.columns, delimiter: header.delimiter, warnings: header.warnings, lines: lines(), close };
}
