/**
 * The service started on a machine set up wrong says which variable to change, in one line on stderr, and exits 1:
 * never a stack trace (the built `node dist/cli/main.js`, as operators run it).
 */
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli } from './support/cli-process.js';
import { ensureBuilt } from './support/service-process.js';

/** Runs a command with an environment of its own (no DATABASE_URL unless given): its exit code and stderr. */
async function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return spawnCli(args, { cwd: dir, env: { LOG_LEVEL: 'silent', ...env }, timeoutMs: 60_000 }).done;
}

let dir: string;
beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(join(tmpdir(), 'ocu-startup-'));
}, 180_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

it('DATA_DIR that is a file', async () => {
  const file = join(dir, 'not-a-directory');
  await writeFile(file, 'x');
  const { code, stderr } = await run(['migrate'], { DATA_DIR: file });
  expect(code).toBe(1);
  expect(stderr).toBe(`office-chat-users: cannot use DATA_DIR ${file} (a file is in the way: ${file}): it must be a directory this user can write.\n`);
}, 60_000);

it.each([
  ['under a link to a volume that is not mounted', () => join(dir, 'unmounted-volume', 'office-chat-users')],
  ['under /proc', () => '/proc/office-chat-users'],
  ['that is a link to a volume that is not mounted', () => join(dir, 'unmounted-volume')],
])('DATA_DIR %s: one line, at once (Node’s own recursive mkdir spins forever there)', async (_case, dataDir) => {
  await symlink(join(dir, 'no-such-volume'), join(dir, 'unmounted-volume')).catch(() => undefined);
  const { code, stderr } = await run(['migrate'], { DATA_DIR: dataDir() });
  expect({ code, stderr }).toEqual({
    code: 1,
    stderr: `office-chat-users: cannot use DATA_DIR ${dataDir()} (no folder can be made at ${dataDir()}: is a link on the way broken, or a volume not mounted?): it must be a directory this user can write.\n`,
  });
}, 60_000);

it('HOST that is not an address of this machine', async () => {
  const { code, stderr } = await run(['serve'], { DATA_DIR: join(dir, 'host'), HOST: 'no-such-host.invalid', PORT: '0' });
  expect(code).toBe(1);
  expect(stderr).toContain(
    'office-chat-users: cannot listen on HOST "no-such-host.invalid": it is not an address of this machine. Set HOST to one of its addresses (0.0.0.0 for all of them), or unset it.\n',
  );
  expect(stderr).not.toMatch(/\n\s+at /);
}, 60_000);

it('PORT already in use', async () => {
  const taken: Server = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    const { code, stderr } = await run(['serve'], { DATA_DIR: join(dir, 'port'), HOST: '127.0.0.1', PORT: String(port) });
    expect(code).toBe(1);
    expect(stderr).toContain(`office-chat-users: port ${port} is already in use on 127.0.0.1: stop what uses it, or set PORT to another.\n`);
    expect(stderr).not.toMatch(/\n\s+at /);
  } finally {
    taken.close();
  }
}, 60_000);
