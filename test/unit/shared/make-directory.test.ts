import { statSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDirectory } from '../../../src/shared/infrastructure/make-directory.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocu-mkdir-'));
  await writeFile(join(dir, 'file'), 'x');
  await symlink(join(dir, 'nothing'), join(dir, 'dangling'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it('makes every missing folder on the way, and takes one that is there', () => {
  const deep = join(dir, 'a', 'b', 'c');
  makeDirectory(deep);
  makeDirectory(deep);
  expect(statSync(deep).isDirectory()).toBe(true);
});

it('refuses a link to nothing at its end with ENOENT, as a folder it cannot make', () => {
  expect(() => makeDirectory(join(dir, 'dangling'))).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'mkdir', path: join(dir, 'dangling') }));
});

it('refuses a file in the way, on the path or at its end', () => {
  expect(() => makeDirectory(join(dir, 'file'))).toThrow(expect.objectContaining({ code: 'EEXIST' }));
  expect(() => makeDirectory(join(dir, 'file', 'sub'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
});

// Under a link to nothing and under /proc, where Node's own recursive mkdir never returns, it is tried in a child
// process that a timeout can stop (startup-errors.test.ts): here a hang would stop the whole test run.
