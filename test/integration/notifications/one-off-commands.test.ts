/**
 * The CLI's one-off commands (import, replay-users) leave the mail outbox to the serving instances: a mail waiting
 * for another network is neither sent nor tried by them. (Before, each started the background mail worker, so an
 * operator's check of the users table sent whatever mail was due, from wherever it ran.)
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { uniqueNetworkId } from '../../support/app.js';
import { createFreshDatabase, type FreshDatabase } from '../../support/fresh-database.js';
import { spawnCli } from '../imports/support/cli-process.js';
import { ensureBuilt } from '../imports/support/service-process.js';

jest.setTimeout(120_000);

let database: FreshDatabase;
let dir: string;
const mailId = randomUUID();

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(join(tmpdir(), 'ocu-one-off-'));
  database = await createFreshDatabase('one_off');
  const runtime = await database.open();
  try {
    await runtime.dataSource.query(
      `INSERT INTO mail_outbox (id, network_id, kind, recipient, subject, html, text, next_attempt_at, created_at)
       VALUES ($1, $2, 'import-completed', 'admin@other.example', 'Your import', '<p>done</p>', 'done', now() - interval '1 minute', now())`,
      [mailId, uniqueNetworkId('waiting')],
    );
  } finally {
    await runtime.close();
  }
});
afterAll(async () => {
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function waitingMail() {
  const runtime = await database.open();
  try {
    const [row] = await runtime.dataSource.query<{ status: string; attempts: number }[]>(`SELECT status, attempts FROM mail_outbox WHERE id = $1`, [mailId]);
    return row;
  } finally {
    await runtime.close();
  }
}

it.each([
  ['import', (file: string) => ['import', file, '--network', uniqueNetworkId('one-off')]],
  ['replay-users', () => ['replay-users']],
])('%s neither sends nor tries the mail waiting for another network', async (_name, args) => {
  const file = join(dir, 'users.csv');
  await writeFile(file, 'email/login,name\nann@acme.example,Ann\n');
  const run = await spawnCli(args(file), {
    cwd: dir,
    env: { NODE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: database.url, DATA_DIR: join(dir, 'var') },
    timeoutMs: 60_000,
  }).done;
  expect(run).toMatchObject({ code: 0 });
  expect(await waitingMail()).toEqual({ status: 'pending', attempts: 0 });
  expect(existsSync(join(dir, 'var', 'mail'))).toBe(false);
});
