/**
 * An uploaded file is a company directory (names, addresses, phone numbers): kept while its import needs it, and
 * deleted when the import ends, completed or failed. What the admin reads afterwards (the report, the rejected
 * lines and their error CSV) is kept apart and stays.
 */
import { DistributedLock, importLockKey } from '../../../src/modules/imports/application/ports/network-lock.port.js';
import { ImportProcessor } from '../../../src/modules/imports/application/process-import/import-processor.js';
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { csv, errorsCsv, importCsv, upload, waitForImport } from '../../support/imports.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ IMPORT_WORKER_ENABLED: 'true' });
});
afterAll(() => t.close());

const storedChunks = async (importId: string): Promise<number> =>
  (await t.runtime.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM import_files WHERE import_id = $1`, [importId]))[0].n;

it('a completed import keeps no copy of the file; its error CSV still gives the rejected lines as uploaded', async () => {
  const network = uniqueNetworkId('files');
  const report = await importCsv(t, network, csv('email,name,mobile', 'ann@acme.example,Ann Lee,+44 7911 123456', 'not-an-address,Bob Ray,'));
  expect(report.counts).toMatchObject({ created: 1, rejected: 1 });
  expect(await storedChunks(report.id)).toBe(0);
  const { rows } = await errorsCsv(t, network, report.id);
  expect(rows.slice(1).map((r) => r.slice(0, 3))).toEqual([['not-an-address', 'Bob Ray', '']]);
});

it('an import given up on (the worker failed it too many times) keeps no copy of the file either', async () => {
  const idle = await startTestApp({ IMPORT_WORKER_ENABLED: 'false' });
  try {
    const network = uniqueNetworkId('files');
    // Held as a worker holds it when it gives up: the other app's worker (same database) must not take the import.
    const lock = await idle.app.get(DistributedLock).tryAcquire(importLockKey(network));
    const res = await upload(idle, network, csv('email,name', 'ann@acme.example,Ann Lee'));
    expect(res.status).toBe(202);
    expect(await storedChunks(res.body.id)).toBeGreaterThan(0);
    await idle.app.get(ImportProcessor).giveUp(res.body.id, 'The import failed five times in a row.');
    await lock!.release();
    expect((await waitForImport(idle, network, res.body.id)).status).toBe('failed');
    expect(await storedChunks(res.body.id)).toBe(0);
  } finally {
    await idle.close();
  }
});
