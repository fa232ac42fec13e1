/**
 * Uploaded files a dying process left behind are deleted: the file of an import that ended (the process died
 * between the import's last commit and the delete), and a file no import took up (it died between the upload and
 * the import's creation) once it is an hour old. A file whose import has not ended stays, however old: the import
 * resumes from it. Every instance that processes imports sweeps at start and every hour.
 */
import { randomUUID } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import { ImportFileStorage } from '../../../src/modules/imports/application/ports/import-file-storage.port.js';
import { ImportProcessor } from '../../../src/modules/imports/application/process-import/import-processor.js';
import { SweepImportFilesCommand } from '../../../src/modules/imports/application/sweep-import-files/sweep-import-files.command.js';
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { createFreshDatabase, type FreshDatabase } from '../../support/fresh-database.js';
import { csv, upload, waitForImport } from '../../support/imports.js';

let database: FreshDatabase;
let t: TestApp;
const network = uniqueNetworkId('leftovers');

beforeAll(async () => {
  database = await createFreshDatabase('leftovers');
  t = await startTestApp({ DATABASE_URL: database.url, IMPORT_WORKER_ENABLED: 'false' });
});
afterAll(async () => {
  await t?.close();
  await database?.drop();
});

const sql = <T>(text: string, params: unknown[] = []) => t.runtime.dataSource.query<T>(text, params);

async function storeFile(importId: string, content = 'email,name\nann@acme.example,Ann Lee\n'): Promise<void> {
  async function* bytes() {
    yield Buffer.from(content);
  }
  await t.app.get(ImportFileStorage).save(importId, bytes(), 1024 * 1024);
}

/** As if its last byte had been written `hours` ago. */
const age = (importId: string, hours: number) => sql(`UPDATE import_files SET stored_at = now() - make_interval(hours => $2) WHERE import_id = $1`, [importId, hours]);

const filesKept = async (): Promise<string[]> =>
  (await sql<{ import_id: string }[]>(`SELECT DISTINCT import_id FROM import_files ORDER BY import_id`)).map((r) => r.import_id);

async function queuedImport(content: string): Promise<string> {
  const res = await upload(t, network, content);
  expect(res.status).toBe(202);
  return res.body.id as string;
}

it('deletes the files of ended imports and old files no import took up, and keeps every other', async () => {
  // A completed import whose file came back as a process dying before the delete would have left it.
  const ended = await queuedImport(csv('email,name', 'ann@acme.example,Ann Lee'));
  expect((await t.app.get(ImportProcessor).process(ended)).status).toBe('completed');
  expect(await filesKept()).toEqual([]);
  await storeFile(ended);
  // Uploads that never became imports: one two hours old, one a minute old (its import may be on its way).
  const [oldOrphan, newOrphan] = [randomUUID(), randomUUID()];
  await storeFile(oldOrphan);
  await age(oldOrphan, 2);
  await storeFile(newOrphan);
  // An import still queued, its file a day old: it needs it.
  const waiting = await queuedImport(csv('email,name', 'bob@acme.example,Bob Ray'));
  await age(waiting, 24);

  const deleted = await t.app.get(CommandBus).execute(new SweepImportFilesCommand());
  expect([...deleted].sort()).toEqual([ended, oldOrphan].sort());
  expect(await filesKept()).toEqual([newOrphan, waiting].sort());
  expect(await t.app.get(CommandBus).execute(new SweepImportFilesCommand())).toEqual([]);

  // The import that waited reads its whole file.
  const report = await t.app.get(ImportProcessor).process(waiting);
  expect(report).toMatchObject({ status: 'completed', counts: { rows: 1, created: 1 } });
  expect(await filesKept()).toEqual([newOrphan]);
});

it('an instance that processes imports sweeps as it starts', async () => {
  const orphan = randomUUID();
  await storeFile(orphan);
  await age(orphan, 2);
  const fresh = randomUUID();
  await storeFile(fresh);
  const worker = await startTestApp({ DATABASE_URL: database.url, IMPORT_WORKER_ENABLED: 'true' });
  try {
    const deadline = Date.now() + 15_000;
    while ((await filesKept()).includes(orphan)) {
      if (Date.now() > deadline) throw new Error(`the orphaned file ${orphan} is still kept 15 s after the worker started`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await filesKept()).toContain(fresh);
    // It processes imports as before.
    const res = await upload(worker, network, csv('email,name', 'cy@acme.example,Cy Day'));
    expect((await waitForImport(worker, network, res.body.id)).status).toBe('completed');
  } finally {
    await worker.close();
  }
});
