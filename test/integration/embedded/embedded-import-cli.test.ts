/**
 * The zero-setup path end to end: the built CLI (`node dist/cli/main.js import`) with no DATABASE_URL runs on
 * the embedded PGlite under DATA_DIR, where the bulk loader takes its JSON path (PGlite has no COPY).
 * `npm test` builds dist/ first (pretest).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import type { ImportReportJson } from '../../../src/modules/imports/infrastructure/http/import-report.json.js';
import { uniqueNetworkId } from '../../support/app.js';

jest.setTimeout(180_000);

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = join(ROOT, 'dist/cli/main.js');
const CLI_TIMEOUT_MS = 150_000;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], dataDir: string, uid?: number): Promise<CliRun> {
  // Five e-mails held in memory: the others are kept in PGlite, and line 28 repeats one of those (line 7's).
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'test', LOG_LEVEL: 'warn', IMPORT_EMAILS_IN_MEMORY: '5' };
  // No server and no broker: the CLI must fall back to the embedded database on its own.
  for (const name of ['DATABASE_URL', 'KAFKA_BROKERS', 'SMTP_URL', 'NODE_OPTIONS']) delete env[name];
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], ...(uid === undefined ? {} : { uid, gid: uid }) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

function reportOf(run: CliRun): ImportReportJson {
  try {
    return JSON.parse(run.stdout) as ImportReportJson;
  } catch {
    throw new Error(`stdout is not the report JSON (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

const HEADER = 'name,firstname,lastname,email/login,title,mobile,manager,Enabled';
const NEW_USERS = 27;

/** 30 lines: 27 new users (one names a manager on the last line), a duplicate e-mail, a bad mobile, a FALSE newcomer. */
function usersCsv(): string {
  const lines = [HEADER];
  lines.push('Ann Lee,Ann,Lee,ann@acme.example,"Head of Sales, EMEA",+44 7911 123456,boss@acme.example,TRUE');
  for (let k = 1; k <= 24; k++) {
    const nn = String(k).padStart(2, '0');
    // Some lines give only first and last name, some a mobile to normalise, some leave Enabled blank.
    const name = k % 3 === 0 ? '' : `User ${nn}`;
    const mobile = k % 4 === 0 ? `+44 7911 1234${nn}` : '';
    const enabled = k % 5 === 0 ? '' : 'TRUE';
    lines.push(`${name},First${nn},Last${nn},user${nn}@acme.example,Title ${nn},${mobile},${k % 2 === 0 ? 'ann@acme.example' : ''},${enabled}`);
  }
  lines.push('Ünïcødé Zoë,Zoë,Ünïcødé,zoe@acme.example,Ingénieure,,,TRUE');
  lines.push('Second User 05,,,USER05@Acme.Example,Duplicate,,,TRUE'); // rejected: line 7 has this e-mail
  lines.push('Bad Phone,,,badphone@acme.example,,+91 12,,TRUE'); // rejected: impossible mobile
  lines.push('Gone Person,,,gone@acme.example,,,,FALSE'); // skipped: FALSE never creates a user
  lines.push('The Boss,The,Boss,boss@acme.example,CEO,,,TRUE');
  return lines.join('\n') + '\n';
}

describe('embedded import CLI (no DATABASE_URL: PGlite under DATA_DIR)', () => {
  let dir: string;
  let csvPath: string;
  const network = uniqueNetworkId('embcli');

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build (npm test does it in pretest).`);
    dir = await mkdtemp(join(tmpdir(), 'ocu-embedded-cli-'));
    csvPath = join(dir, 'users.csv');
    await writeFile(csvPath, usersCsv());
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('imports a CSV into the embedded database and prints the report as JSON, exit code 0', async () => {
    const run = await runCli(['import', csvPath, '--network', network, '--json'], join(dir, 'data'));
    const report = reportOf(run);
    expect({ code: run.code, status: report.status }).toEqual({ code: 0, status: 'completed' });
    expect(report).toMatchObject({ networkId: network, mode: 'skip', dryRun: false, fileName: 'users.csv', totalRows: 30 });
    expect(report.counts).toMatchObject({ rows: 30, created: NEW_USERS, updated: 0, unchanged: 0, skipped: 1, rejected: 2 });
    // The forward reference to boss@ (last line) and the backward ones to ann@ resolved: no manager warning.
    expect(report.warnings).toEqual([]);
    expect(run.stderr).toMatch(/KAFKA_BROKERS is unset/);
  });

  it('the same file again with --mode update: every imported user is unchanged, none created', async () => {
    const run = await runCli(['import', csvPath, '--network', network, '--mode', 'update', '--json'], join(dir, 'data'));
    const report = reportOf(run);
    expect({ code: run.code, status: report.status }).toEqual({ code: 0, status: 'completed' });
    expect(report.mode).toBe('update');
    expect(report.counts).toMatchObject({ rows: 30, created: 0, updated: 0, unchanged: NEW_USERS, skipped: 1, rejected: 2, activated: 0, deactivated: 0 });
    expect(report.warnings).toEqual([]);
  });

  it('without --json, a dry run prints a summary naming each rejected line and why', async () => {
    const run = await runCli(['import', csvPath, '--network', network, '--mode', 'update', '--dry-run'], join(dir, 'data'));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('(dry run: nothing was written)');
    expect(run.stdout).toContain(`rows 30: created 0, updated 0, unchanged ${NEW_USERS}, skipped 1, rejected 2`);
    const rejected = run.stdout.split('\n').filter((l) => l.startsWith('  rejected '));
    expect(rejected).toEqual([
      expect.stringMatching(/^  rejected line 28: .*already appears on line 7/),
      expect.stringMatching(/^  rejected line 29: "\+91 12" in column "mobile"/),
    ]);
  });

  it('a file it cannot read (missing, a directory, no read permission): one line on stderr, exit code 2, no database opened', async () => {
    const folder = join(dir, 'a-folder.csv');
    await mkdir(folder);
    const locked = join(dir, 'locked.csv');
    await writeFile(locked, usersCsv());
    await chmod(locked, 0o000);
    // root reads any file: run that case as "nobody", who may enter the test folder but not read the file.
    await chmod(dir, 0o755);
    const asNobody = process.getuid?.() === 0 ? 65534 : undefined;
    const cases: [string, string, number | undefined][] = [
      [join(dir, 'no/such/file.csv'), 'no such file', undefined],
      [folder, 'is a directory', undefined],
      [locked, 'permission denied', asNobody],
    ];
    for (const [path, reason, uid] of cases) {
      const dataDir = join(dir, 'never-opened');
      const run = await runCli(['import', path, '--network', network, '--json'], dataDir, uid);
      expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ code: 2, stdout: '', stderr: `office-chat-users: cannot read ${path}: ${reason}\n` });
      expect(existsSync(dataDir)).toBe(false);
    }
  });

  it('a file without an e-mail column is refused: exit code 2, no report', async () => {
    const noEmail = join(dir, 'no-email.csv');
    await writeFile(noEmail, 'name,firstname,lastname,title,mobile,manager,Enabled\nWill Smith,Will,Smith,Director,,,TRUE\n');
    const run = await runCli(['import', noEmail, '--network', network, '--json'], join(dir, 'data'));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/refused/);
    expect(run.stderr).toMatch(/email\/login/);
  });
});
