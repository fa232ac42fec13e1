import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDirectory, makeDirectorySync } from '../../../src/shared/infrastructure/make-directory.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocu-mkdir-'));
  await writeFile(join(dir, 'file'), 'x');
  await symlink(join(dir, 'nothing'), join(dir, 'dangling'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.each([
  ['makeDirectory', (path: string) => makeDirectory(path)],
  ['makeDirectorySync', async (path: string) => makeDirectorySync(path)],
])('%s', (_name, make) => {
  it('makes every missing folder on the way, and takes one that is there', async () => {
    const deep = join(dir, _name, 'a', 'b', 'c');
    await make(deep);
    await make(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
  });

  it('refuses a link to nothing at its end with ENOENT, as a folder it cannot make', async () => {
    await expect(make(join(dir, 'dangling'))).rejects.toMatchObject({ code: 'ENOENT', syscall: 'mkdir', path: join(dir, 'dangling') });
  });

  it('refuses a file in the way, on the path or at its end', async () => {
    await expect(make(join(dir, 'file'))).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(make(join(dir, 'file', 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});

// Node's own recursive mkdir never settles for these (its promise, here, would time the test out).
it.each([
  ['a link to nothing', () => join(dir, 'dangling', 'data')],
  ['/proc', () => '/proc/office-chat-users/data'],
])('makeDirectory under %s ends with ENOENT', async (_case, path) => {
  await expect(makeDirectory(path())).rejects.toMatchObject({ code: 'ENOENT', syscall: 'mkdir' });
  expect(existsSync(join(dir, 'nothing'))).toBe(false);
});
