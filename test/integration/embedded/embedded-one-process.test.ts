/**
 * The embedded database (PGlite under DATA_DIR) lives in the memory of the process that opened it: a second process
 * on the same directory used to open its own copy, and whichever wrote back last lost the other's imports. Now the
 * second one is refused in one line naming the first, and a lock left by a killed process is taken over.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import type { ImportReportJson } from '../../../src/modules/imports/infrastructure/http/import-report.json.js';
import { CLI_MAIN, type Cli, type CliRun, spawnCli } from '../imports/support/cli-process.js';
import { ensureBuilt, freePort, ROOT } from '../imports/support/service-process.js';

jest.setTimeout(180_000);

function start(args: string[], dataDir: string, env: Record<string, string> = {}, script = CLI_MAIN): Cli {
  return spawnCli(args, { cwd: ROOT, env: { NODE_ENV: 'test', LOG_LEVEL: 'warn', DATA_DIR: dataDir, HOST: '127.0.0.1', ...env }, timeoutMs: 150_000, script });
}

function reportOf(run: CliRun): ImportReportJson {
  try {
    return JSON.parse(run.stdout) as ImportReportJson;
  } catch {
    throw new Error(`stdout is not the report JSON (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

function usersCsv(prefix: string, rows: number): string {
  const lines = ['email/login,name'];
  for (let i = 0; i < rows; i++) lines.push(`${prefix}${i}@acme.example,${prefix} ${i}`);
  return lines.join('\n') + '\n';
}

let dir: string;

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(join(tmpdir(), 'ocu-embedded-one-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('one process at a time on the embedded database', () => {
  it('two imports at once: one runs, the other is refused naming it; no import is lost', async () => {
    const dataDir = join(dir, 'two-imports');
    const [a, b] = [join(dir, 'a.csv'), join(dir, 'b.csv')];
    await writeFile(a, usersCsv('a', 3_000));
    await writeFile(b, usersCsv('b', 3_000));
    const runs = await Promise.all([start(['import', a, '--network', 'acme', '--json'], dataDir).done, start(['import', b, '--network', 'acme', '--json'], dataDir).done]);
    const refused = runs.filter((r) => r.code === 1);
    expect(runs.map((r) => r.code).sort()).toEqual([0, 1]);
    expect(refused[0].stdout).toBe('');
    expect(refused[0].stderr).toMatch(/^office-chat-users: the embedded database in .*pgdata is in use by `import` \(pid \d+\): wait for it to end\. .*DATABASE_URL/);
    expect(refused[0].stderr.trim().split('\n')).toHaveLength(1);

    // The refused one again, alone; then both files find every one of their users there.
    const refusedFile = runs[0].code === 1 ? a : b;
    expect((await start(['import', refusedFile, '--network', 'acme', '--json'], dataDir).done).code).toBe(0);
    const again = [];
    for (const file of [a, b]) again.push(reportOf(await start(['import', file, '--network', 'acme', '--json', '--dry-run'], dataDir).done).counts);
    expect(again).toEqual([expect.objectContaining({ created: 0, skipped: 3_000 }), expect.objectContaining({ created: 0, skipped: 3_000 })]);
  });

  it.each([
    ['as an absolute path', CLI_MAIN],
    // What `npm start` runs: the lock records the absolute path Node made of it, /proc the path as typed.
    ['relative to its folder, as npm start runs it', 'dist/cli/main.js'],
  ])('an import while serve (started %s) has the directory is refused naming serve; once serve is killed (-9) the import runs', async (_how, script) => {
    const dataDir = join(dir, `with-serve-${script === CLI_MAIN ? 'absolute' : 'relative'}`);
    const port = await freePort();
    const serve = start(['serve'], dataDir, { PORT: String(port), AUTH_JWT_SECRET: 'x'.repeat(32) }, script);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.status === 200, () => false);
      if (ready) break;
      if (serve.child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start:\n${(await serve.done).stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const file = join(dir, 'c.csv');
    await writeFile(file, usersCsv('c', 10));
    const refused = await start(['import', file, '--network', 'acme', '--json'], dataDir).done;
    expect({ code: refused.code, stdout: refused.stdout }).toEqual({ code: 1, stdout: '' });
    expect(refused.stderr).toMatch(/is in use by `serve` \(pid \d+\): import through its API or admin page, or stop it first\./);

    serve.child.kill('SIGKILL');
    await serve.done;
    const run = await start(['import', file, '--network', 'acme', '--json'], dataDir).done;
    expect({ code: run.code, created: reportOf(run).counts.created }).toEqual({ code: 0, created: 10 });
  });
});
