/**
 * The import CLI as an operator uses it, on the per-run PostgreSQL (DATABASE_URL): stopped with Ctrl-C or SIGTERM
 * mid-import and run again, asked to e-mail the result (--notify), pointed at a database that is not there, and given
 * a network id it cannot mean.
 * Runs the built `node dist/cli/main.js` (ensureBuilt rebuilds it when a source is newer).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { simpleParser } from 'mailparser';
import pg from 'pg';
import type { ImportReportJson } from '../../../src/modules/imports/infrastructure/http/import-report.json.js';
import { testDatabaseUrl, uniqueNetworkId } from '../../support/app.js';
import { type Cli, type CliRun, CLI_MAIN, spawnCli } from './support/cli-process.js';
import { ensureBuilt, startService } from './support/service-process.js';

jest.setTimeout(240_000);

const ROWS = 60_000;

function startCli(args: string[], env: Record<string, string> = {}): Cli {
  return spawnCli(args, {
    cwd: dir,
    env: { NODE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: testDatabaseUrl(), DATA_DIR: join(dir, 'var'), ...env },
    timeoutMs: 200_000,
  });
}

const runCli = (args: string[], env: Record<string, string> = {}) => startCli(args, env).done;

function runShell(command: string): Promise<CliRun> {
  const child = spawn('sh', ['-c', command], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: testDatabaseUrl() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

function reportOf(run: CliRun): ImportReportJson {
  try {
    return JSON.parse(run.stdout) as ImportReportJson;
  } catch {
    throw new Error(`stdout is not the report JSON (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

/** New users; every 7th names as manager a user 600 lines further on (a link that waits for the whole file). */
function bigFile(rows = ROWS): string {
  const lines = ['email/login,name,title,manager'];
  for (let i = 0; i < rows; i++) {
    const manager = i % 7 === 0 && i + 600 < rows ? `user${i + 600}@acme.example` : '';
    lines.push(`user${i}@acme.example,User ${i},Title ${i % 97},${manager}`);
  }
  return lines.join('\n') + '\n';
}
const MANAGED = Math.ceil((ROWS - 600) / 7);

let dir: string;
let db: pg.Client;
let bigCsv: string;

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(join(tmpdir(), 'ocu-cli-operator-'));
  bigCsv = join(dir, 'big.csv');
  await writeFile(bigCsv, bigFile());
  db = new pg.Client({ connectionString: testDatabaseUrl() });
  await db.connect();
  // The per-run database may be new: the tests below poll its imports table while the CLI runs.
  const migrated = await runCli(['migrate']);
  if (migrated.code !== 0) throw new Error(`migrate failed:\n${migrated.stderr}`);
});

afterAll(async () => {
  await db?.end();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Polls the network's import until `applied_through` reaches `line`, or fails after the timeout. */
async function appliedThrough(network: string, line: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await db.query<{ applied_through: number }>(`SELECT applied_through FROM imports WHERE network_id = $1`, [network]);
    if ((rows[0]?.applied_through ?? 0) >= line) return;
    if (Date.now() > deadline) throw new Error(`the import of ${network} did not reach line ${line} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function usersOf(network: string): Promise<{ users: number; managed: number }> {
  const { rows } = await db.query<{ users: number; managed: number }>(
    `SELECT count(*)::int AS users, count(manager_id)::int AS managed FROM users WHERE network_id = $1`,
    [network],
  );
  return rows[0];
}

describe.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('stopped with %s mid-import, then the same command again', (signal, exitCode) => {
  it('says where it stopped and how to resume; the rerun resumes that import and every row and manager link is applied once', async () => {
    const network = uniqueNetworkId(`cli-${signal.toLowerCase()}`);
    const args = ['import', bigCsv, '--network', network, '--json'];
    const first = startCli(args, { IMPORT_BATCH_SIZE: '1000' });
    await appliedThrough(network, 3_000);
    first.child.kill(signal);
    const stopped = await first.done;

    const { rows: imports } = await db.query<{ id: string; applied_through: number }>(`SELECT id, applied_through FROM imports WHERE network_id = $1`, [network]);
    expect(imports).toHaveLength(1);
    const [{ id, applied_through: through }] = imports;
    expect(through).toBeLessThan(ROWS + 1);
    expect(stopped.code).toBe(exitCode);
    // --json: stdout holds the report or nothing; the words are on stderr.
    expect(stopped.stdout).toBe('');
    expect(stopped.stderr).toContain(`Import ${id} stopped after line ${through}`);
    expect(stopped.stderr).toContain(`run the same command again to resume it`);
    expect(stopped.stderr).not.toMatch(/^\s+at /m);

    const again = await runCli(args);
    const report = reportOf(again);
    expect({ code: again.code, id: report.id, status: report.status }).toEqual({ code: 0, id, status: 'completed' });
    expect(again.stderr).toContain(`Resuming import ${id} of big.csv after line ${through}`);
    expect(report.counts).toMatchObject({ rows: ROWS, created: ROWS, skipped: 0, rejected: 0 });
    // The links that waited for the whole file, from lines applied before the stop too, were all made.
    expect(await usersOf(network)).toEqual({ users: ROWS, managed: MANAGED });
    const { rows: after } = await db.query(`SELECT id FROM imports WHERE network_id = $1`, [network]);
    expect(after).toEqual([{ id }]);
  });
});

describe('stopped while a service runs on the same database', () => {
  it('the service or the rerun finishes that import, never a second one: the rerun prints its report either way', async () => {
    const service = await startService('cli-operator-serve');
    try {
      const network = uniqueNetworkId('cli-serve');
      const args = ['import', bigCsv, '--network', network, '--json'];
      const first = startCli(args, { IMPORT_BATCH_SIZE: '1000' });
      await appliedThrough(network, 3_000);
      first.child.kill('SIGINT');
      const stopped = await first.done;
      expect(stopped.code).toBe(130);
      expect(stopped.stderr).toContain('a service running with the import worker on this database resumes it by itself');
      const [{ id }] = (await db.query(`SELECT id FROM imports WHERE network_id = $1`, [network])).rows;

      const again = await runCli(args);
      const report = reportOf(again);
      expect({ code: again.code, id: report.id, status: report.status, created: report.counts.created }).toEqual({ code: 0, id, status: 'completed', created: ROWS });
      expect(await usersOf(network)).toEqual({ users: ROWS, managed: MANAGED });
      expect((await db.query(`SELECT id FROM imports WHERE network_id = $1`, [network])).rows).toEqual([{ id }]);
    } finally {
      await service.kill('SIGKILL');
    }
  });
});

describe('an unfinished import of another file on the same network', () => {
  it('is named on stderr with how to finish it, and the new file is imported on its own', async () => {
    const network = uniqueNetworkId('cli-other');
    const first = startCli(['import', bigCsv, '--network', network], { IMPORT_BATCH_SIZE: '1000' });
    await appliedThrough(network, 2_000);
    first.child.kill('SIGINT');
    expect((await first.done).code).toBe(130);
    const [{ id, applied_through: through }] = (await db.query(`SELECT id, applied_through FROM imports WHERE network_id = $1`, [network])).rows;

    const small = join(dir, 'small.csv');
    await writeFile(small, 'email/login,name\nsmall@acme.example,Small One\n');
    const run = await runCli(['import', small, '--network', network, '--json']);
    const report = reportOf(run);
    expect({ code: run.code, status: report.status, created: report.counts.created }).toEqual({ code: 0, status: 'completed', created: 1 });
    expect(report.id).not.toBe(id);
    expect(run.stderr).toContain(`Import ${id} of big.csv stopped after line ${through} and is not finished`);
  });
});

describe('what the file is', () => {
  it('a file still being written while it is read is refused, exit code 2, and nothing is imported', async () => {
    const network = uniqueNetworkId('cli-growing');
    const growing = join(dir, 'growing.csv');
    await writeFile(growing, bigFile(20_000));
    // Another process appends a line every 5 ms for as long as the import runs, as an export still being written does.
    const writer = spawn(
      process.execPath,
      ['-e', `const fs=require('fs');let i=0;setInterval(()=>fs.appendFileSync(${JSON.stringify(growing)},'late'+(i++)+'@acme.example,Late\\n'),5)`],
      { stdio: 'ignore' },
    );
    try {
      const run = await runCli(['import', growing, '--network', network, '--json']);
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
      expect(run.stderr).toContain(`office-chat-users: ${growing} changed while it was being read (is it still being written?): nothing was imported.`);
    } finally {
      writer.kill('SIGKILL');
    }
    expect((await db.query(`SELECT count(*)::int AS n FROM imports WHERE network_id = $1`, [network])).rows[0].n).toBe(0);
    expect(await usersOf(network)).toEqual({ users: 0, managed: 0 });
  });

  it('a pipe (cat file | … import /dev/stdin) is read once and imported', async () => {
    const network = uniqueNetworkId('cli-pipe');
    const piped = join(dir, 'piped.csv');
    await writeFile(piped, 'email/login,name\npiped1@acme.example,Piped One\npiped2@acme.example,Piped Two\n');
    // A shell's pipe, as an operator writes it (node's own stdin pipes are sockets, which /dev/stdin cannot reopen).
    const run = await runShell(`cat '${piped}' | '${process.execPath}' '${CLI_MAIN}' import /dev/stdin --network ${network} --json`);
    expect({ code: run.code, created: reportOf(run).counts.created }).toEqual({ code: 0, created: 2 });
  });
});

describe('a database that cannot be used', () => {
  it.each([
    ['nothing listens on the port', 'postgres://postgres@127.0.0.1:1/users', /^office-chat-users: cannot connect to PostgreSQL at 127\.0\.0\.1:1 \(connection refused\)/],
    ['the database does not exist', () => testDatabaseUrl().replace(/\/[^/?]+(\?|$)/, '/no_such_database_ocu$1'), /^office-chat-users: PostgreSQL at .+ refused the connection: database "no_such_database_ocu" does not exist/],
  ])('%s: one line on stderr naming it, no stack trace, exit code 1', async (_case, url, message) => {
    const file = join(dir, 'one.csv');
    await writeFile(file, 'email/login,name\none@acme.example,One\n');
    for (const args of [['import', file, '--network', 'acme', '--json'], ['migrate']]) {
      const run = await runCli(args, { DATABASE_URL: typeof url === 'function' ? url() : url });
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 1, stdout: '' });
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('--notify', () => {
  /** The .eml files the CLI wrote under its DATA_DIR (no SMTP_URL), parsed. */
  async function mailsIn(dataDir: string) {
    const folder = join(dataDir, 'mail');
    const files = existsSync(folder) ? (await readdir(folder)).filter((f) => f.endsWith('.eml')) : [];
    return Promise.all(files.map(async (f) => simpleParser(await readFile(join(folder, f)))));
  }

  it('e-mails the admin the result, with the link to invite the users it created', async () => {
    const network = uniqueNetworkId('cli-notify');
    const dataDir = join(dir, `var-${network}`);
    const file = join(dir, 'notify.csv');
    await writeFile(file, 'email/login,name\nann@acme.example,Ann Lee\nbob@acme.example,Bob Ray\nnot-an-address,Cy Day\n');
    const run = await runCli(['import', file, '--network', network, '--notify', 'ops@acme.example', '--json'], { DATA_DIR: dataDir });
    expect(run.code).toBe(0);
    const report = reportOf(run);
    const mails = await mailsIn(dataDir);
    expect(mails.map((m) => ({ to: m.to && !Array.isArray(m.to) ? m.to.text : m.to, subject: m.subject }))).toEqual([
      { to: 'ops@acme.example', subject: 'User import finished: notify.csv (2 created, 0 updated, 1 rejected)' },
    ]);
    expect(mails[0].text).toContain(`/admin/#/imports/${report.id}/invite`);
  });

  it('given to the run that resumes a stopped import, the admin it names gets the mail', async () => {
    const network = uniqueNetworkId('cli-notify-resume');
    const dataDir = join(dir, `var-${network}`);
    const first = startCli(['import', bigCsv, '--network', network, '--json'], { IMPORT_BATCH_SIZE: '1000', DATA_DIR: dataDir });
    await appliedThrough(network, 3_000);
    first.child.kill('SIGINT');
    expect((await first.done).code).toBe(130);

    const again = await runCli(['import', bigCsv, '--network', network, '--notify', 'ops@acme.example', '--json'], { DATA_DIR: dataDir });
    expect(again.stderr).toContain('Resuming import');
    expect(reportOf(again)).toMatchObject({ status: 'completed', counts: { created: ROWS } });
    const mails = await mailsIn(dataDir);
    expect(mails.map((m) => ({ to: m.to && !Array.isArray(m.to) ? m.to.text : m.to, subject: m.subject }))).toEqual([
      { to: 'ops@acme.example', subject: `User import finished: big.csv (${ROWS.toLocaleString('en-US')} created, 0 updated, 0 rejected)` },
    ]);
  });
});

describe('misuse of the command line', () => {
  it('an empty or space-padded --network (an unset shell variable) is refused before anything is imported: exit code 2', async () => {
    const file = join(dir, 'one.csv');
    await writeFile(file, 'email/login,name\none@acme.example,One\n');
    for (const network of ['', '  ', ' acme']) {
      const run = await runCli(['import', file, '--network', network, '--json']);
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
      expect(run.stderr).toMatch(/^office-chat-users: --network /);
    }
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM imports WHERE network_id IN ('', '  ', ' acme')`);
    expect(rows[0].n).toBe(0);
  });

  it('a --notify that is not an e-mail address is refused before anything is imported (no mail could ever reach it): exit code 2', async () => {
    const network = uniqueNetworkId('cli-notify');
    const file = join(dir, 'one.csv');
    await writeFile(file, 'email/login,name\none@acme.example,One\n');
    const run = await runCli(['import', file, '--network', network, '--notify', 'admin-at-acme', '--json']);
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
      code: 2,
      stdout: '',
      stderr: 'office-chat-users: --notify "admin-at-acme" is not an e-mail address (it has no @).\n',
    });
    expect((await db.query(`SELECT count(*)::int AS n FROM imports WHERE network_id = $1`, [network])).rows[0].n).toBe(0);
  });

  it('an unknown option, a wrong --mode or a missing --network exits 2 (nothing imported), not 1 (an import failed)', async () => {
    for (const args of [['import', 'x.csv', '--network', 'acme', '--bogus'], ['import', 'x.csv', '--network', 'acme', '--mode', 'Update'], ['import', 'x.csv']]) {
      const run = await runCli(args);
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(run.stderr).toMatch(/^error: /);
      expect(run.stderr).toContain('office-chat-users import --help');
    }
  });

  it('import --help says the defaults, the database used, the exit codes and how to resume', async () => {
    const run = await runCli(['import', '--help']);
    expect(run.code).toBe(0);
    for (const words of ['default: "skip"', 'DATABASE_URL', 'Exit codes', '130', 'run the same command again']) expect(run.stdout).toContain(words);
    for (const command of ['serve', 'migrate']) expect((await runCli([command, '--help'])).stdout).toContain('DATABASE_URL');
  });
});
