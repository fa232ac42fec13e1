/**
 * The parsing thread of CsvUserFileParser's background reading (see parse-thread.protocol.ts): it reads the bytes its
 * parent sends, runs the CSV reader and the row rules, and sends back the heading's outcome, then the lines in
 * packed runs, never more than RUNS_AHEAD runs before its parent has taken them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FileRefusedError } from '../../application/ports/user-file-parser.port.js';
import { type ParserData, PIECES_AHEAD, RUNS_AHEAD, type ToParent, type ToParser } from './parse-thread.protocol.js';
import { readUserFileRuns } from './user-file-runs.js';

const port = parentPort!;
const { options } = workerData as ParserData;
const send = (message: ToParent, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

const chunks: Uint8Array[] = [];
let ended = false;
let failure: string | undefined;
let runCredit = RUNS_AHEAD;
// The reader pulls bytes and the runs wait for credit at the same time: every waiter is woken by every message.
let waiters: (() => void)[] = [];

port.on('message', (message: ToParser) => {
  switch (message.type) {
    case 'chunk':
      chunks.push(message.bytes);
      break;
    case 'end':
      ended = true;
      break;
    case 'fail':
      failure = message.message;
      break;
    case 'more':
      runCredit += 1;
      break;
  }
  const woken = waiters;
  waiters = [];
  for (const wake of woken) wake();
});

const nextEvent = (): Promise<void> => new Promise((resolve) => waiters.push(resolve));

/** The file's bytes as the parent sends them, asking for the next piece as each one is taken. */
async function* content(): AsyncGenerator<Uint8Array, void, undefined> {
  for (let i = 0; i < PIECES_AHEAD; i++) send({ type: 'pull' });
  for (;;) {
    const chunk = chunks.shift();
    if (chunk !== undefined) {
      send({ type: 'pull' });
      yield chunk;
      continue;
    }
    if (failure !== undefined) throw new Error(failure);
    if (ended) return;
    await nextEvent();
  }
}

async function main(): Promise<void> {
  try {
    const file = await readUserFileRuns(content(), options);
    send({ type: 'header', columns: file.columns, delimiter: file.delimiter, warnings: file.warnings });
    for await (const run of file.runs) {
      while (runCredit === 0) await nextEvent();
      runCredit -= 1;
      send({ type: 'run', run }, [run.offsets.buffer as ArrayBuffer, run.lines.buffer as ArrayBuffer]);
    }
    send({ type: 'end' });
  } catch (error) {
    if (error instanceof FileRefusedError) send({ type: 'refused', reason: error.reason, message: error.message, line: error.line });
    else send({ type: 'error', message: (error as Error).message ?? String(error), stack: (error as Error).stack });
  }
}

void main();
