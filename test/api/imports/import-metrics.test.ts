/**
 * GET /metrics for imports, on a database of its own: the imports waiting or running and those no instance is
 * importing (what an operator alerts on when no instance runs the import worker), and the imports this instance's
 * worker ended, with their lines by outcome (dry runs counted apart, their lines not at all).
 */
import { DistributedLock, importLockKey } from '../../../src/modules/imports/application/ports/network-lock.port.js';
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { createFreshDatabase, type FreshDatabase } from '../../support/fresh-database.js';
import { csv, importCsv, upload, waitForImport } from '../../support/imports.js';

let database: FreshDatabase;
const network = uniqueNetworkId('metrics');
const file = csv('email/login,name', 'ann@acme.example,Ann Lee', 'bob@acme.example,Bob Ray', 'not-an-address,Cy Day');

beforeAll(async () => {
  database = await createFreshDatabase('import_metrics');
});
afterAll(() => database?.drop());

async function scrape(t: TestApp): Promise<(series: string) => number> {
  const text = (await t.http.get('/metrics').expect(200)).text;
  return (series) => Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
}

let queuedId: string;

it('an import no instance is importing is unfinished and unattended; one whose network lock is held is attended', async () => {
  const t = await startTestApp({ DATABASE_URL: database.url, IMPORT_WORKER_ENABLED: 'false' });
  try {
    const res = await upload(t, network, file);
    expect(res.status).toBe(202);
    queuedId = res.body.id;
    let metric = await scrape(t);
    expect([metric('imports_unfinished{status="queued"}'), metric('imports_unfinished{status="running"}'), metric('imports_unattended')]).toEqual([1, 0, 1]);

    const lock = await t.app.get(DistributedLock).tryAcquire(importLockKey(network));
    try {
      metric = await scrape(t);
      expect([metric('imports_unfinished{status="queued"}'), metric('imports_unattended')]).toEqual([1, 0]);
    } finally {
      await lock!.release();
    }
    expect((await scrape(t))('imports_unattended')).toBe(1);
  } finally {
    await t.close();
  }
});

it("counts the imports this instance's worker ends, and their lines by outcome; a dry run's lines are not counted", async () => {
  const t = await startTestApp({ DATABASE_URL: database.url, IMPORT_WORKER_ENABLED: 'true' });
  try {
    // The import queued above, taken by this worker: 2 created, 1 rejected.
    expect((await waitForImport(t, network, queuedId)).counts).toMatchObject({ created: 2, rejected: 1 });
    await importCsv(t, network, file, { mode: 'update' });
    await importCsv(t, network, csv('email/login,name', 'dee@acme.example,Dee'), { dryRun: 'true' });
    // The worker counts an import once it has ended it, a moment after its report says so.
    let metric = await scrape(t);
    for (const deadline = Date.now() + 10_000; metric('imports_finished_total{status="completed",dry_run="true"}') !== 1 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 50));
      metric = await scrape(t);
    }
    expect({
      completed: metric('imports_finished_total{status="completed",dry_run="false"}'),
      dryRuns: metric('imports_finished_total{status="completed",dry_run="true"}'),
      created: metric('import_lines_total{outcome="created"}'),
      unchanged: metric('import_lines_total{outcome="unchanged"}'),
      rejected: metric('import_lines_total{outcome="rejected"}'),
      queued: metric('imports_unfinished{status="queued"}'),
      running: metric('imports_unfinished{status="running"}'),
      unattended: metric('imports_unattended'),
    }).toEqual({ completed: 2, dryRuns: 1, created: 2, unchanged: 2, rejected: 2, queued: 0, running: 0, unattended: 0 });
  } finally {
    await t.close();
  }
});
