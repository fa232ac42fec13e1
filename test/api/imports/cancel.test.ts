/**
 * POST …/imports/{id}/cancel: an admin stops an import that has not ended (the wrong file, the wrong mode). What it
 * applied stays, nothing more is applied, and it ends failed with a reason saying who cancelled it and how far it got.
 */
import { DistributedLock, importLockKey } from '../../../src/modules/imports/application/ports/network-lock.port.js';
import { ImportRepository } from '../../../src/modules/imports/application/ports/import-store.port.js';
import { ImportProcessor } from '../../../src/modules/imports/application/process-import/import-processor.js';
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { expectUsersMatchEvents } from '../../support/replay.js';
import { csv, getImport, importsPath, upload, usersOf, waitForImport } from '../../support/imports.js';

const ADMIN = 'admin@acme.example';

const manyUsers = (rows: number) => csv('email,name', ...Array.from({ length: rows }, (_, i) => `u${i}@acme.example,User ${i}`));

describe('an import being applied', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ IMPORT_WORKER_ENABLED: 'true', IMPORT_BATCH_SIZE: '500' });
  });
  afterAll(() => t.close());

  it('stops at its next batch: 202, then failed with every applied line kept and no line after them', async () => {
    const network = uniqueNetworkId('cancel');
    const auth = await t.authHeader([network], ADMIN);
    const res = await upload(t, network, manyUsers(60_000), {}, { auth });
    expect(res.status).toBe(202);
    const importId: string = res.body.id;
    for (const deadline = Date.now() + 60_000; (await getImport(t, network, importId)).counts.created < 1_000; ) {
      if (Date.now() > deadline) throw new Error('the import did not start');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const cancel = await t.http.post(importsPath(network, `/${importId}/cancel`)).set(auth);
    expect(cancel.status).toBe(202);
    expect(cancel.headers.location).toBe(importsPath(network, `/${importId}`));

    const report = await waitForImport(t, network, importId);
    expect(report.status).toBe('failed');
    const stoppedAfter = Number(/^Cancelled by admin@acme\.example after line (\d+): the lines up to it were applied \(see the counts\), the rest of the file was not\.$/.exec(report.failureReason ?? '')?.[1]);
    expect(report.counts.created).toBe(stoppedAfter - 1);
    expect(report.counts.created).toBeLessThan(60_000);
    const users = await usersOf(t, network);
    expect(users.size).toBe(report.counts.created);
    expect(users.has(`u${stoppedAfter - 2}@acme.example`)).toBe(true);
    expect(users.has(`u${stoppedAfter - 1}@acme.example`)).toBe(false);
    await expectUsersMatchEvents(t, network);

    // Ended: a second cancel has nothing to stop.
    expect((await t.http.post(importsPath(network, `/${importId}/cancel`)).set(auth)).status).toBe(409);
  }, 120_000);
});

describe('an import nobody is applying', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ IMPORT_WORKER_ENABLED: 'false' });
  });
  afterAll(() => t.close());

  it('queued: ends at once (200), nothing changed, and no worker takes it up afterwards', async () => {
    const network = uniqueNetworkId('cancel');
    const auth = await t.authHeader([network], ADMIN);
    const res = await upload(t, network, manyUsers(3), {}, { auth });
    const cancel = await t.http.post(importsPath(network, `/${res.body.id}/cancel`)).set(auth);
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({
      status: 'failed',
      cancelledBy: ADMIN,
      failureReason: 'Cancelled by admin@acme.example before any line was applied: nothing was changed.',
      counts: { rows: 0, created: 0 },
      // Its file was never read: not a file of 0 lines.
      totalRows: null,
    });
    expect((await t.app.get(ImportProcessor).process(res.body.id)).status).toBe('failed');
    expect((await usersOf(t, network)).size).toBe(0);
  });

  it('stopped once every line was applied: the manager links that waited for the whole file are not made', async () => {
    const network = uniqueNetworkId('cancel');
    const auth = await t.authHeader([network], ADMIN);
    // Each user names as manager the one on the next line: links that wait for the whole file.
    const res = await upload(t, network, csv('email,name,manager', 'a@acme.example,A,b@acme.example', 'b@acme.example,B,c@acme.example', 'c@acme.example,C,'), {}, { auth });
    // A process stopped (Ctrl-C) as it finished reading the file, before the links.
    const stop = new AbortController();
    await expect(
      t.app.get(ImportProcessor).process(res.body.id, (p) => {
        if (p.phase === 'applying' && p.done === 3) stop.abort();
      }, stop.signal),
    ).rejects.toThrow();

    const cancel = await t.http.post(importsPath(network, `/${res.body.id}/cancel`)).set(auth);
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({
      status: 'failed',
      failureReason: 'Cancelled by admin@acme.example once every line was applied: the manager links that waited for the whole file were not made.',
      counts: { rows: 3, created: 3 },
      totalRows: 3,
    });
    const users = await usersOf(t, network);
    expect([...users.values()].map((u) => u.managerId)).toEqual([null, null, null]);
  });
});

describe('a cancelled dry run stopped part-way through its file', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ IMPORT_WORKER_ENABLED: 'false', IMPORT_BATCH_SIZE: '2' });
  });
  afterAll(() => t.close());

  // It said "the lines up to it were applied" (a dry run applies nothing), and totalRows 0 for a file of 200 lines.
  it('says it was a dry run that changed nothing, and totalRows is null (the file was not read to its end)', async () => {
    const network = uniqueNetworkId('cancel');
    const auth = await t.authHeader([network], ADMIN);
    const res = await upload(t, network, manyUsers(200), { dryRun: 'true' }, { auth });
    // A process stopped after its first batches of 2 lines, as a running dry run is stopped by the cancel.
    const stop = new AbortController();
    await expect(
      t.app.get(ImportProcessor).process(res.body.id, (p) => {
        if (p.phase === 'applying' && p.done >= 2) stop.abort();
      }, stop.signal),
    ).rejects.toThrow();

    const cancel = await t.http.post(importsPath(network, `/${res.body.id}/cancel`)).set(auth);
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ status: 'failed', dryRun: true, cancelledBy: ADMIN, totalRows: null });
    const stoppedAfter = Number(/^Cancelled by admin@acme\.example after line (\d+): it was a dry run, nothing was changed\.$/.exec(cancel.body.failureReason)?.[1]);
    expect(cancel.body.counts.rows).toBe(stoppedAfter - 1);
    expect(cancel.body.counts.rows).toBeLessThan(200);
    expect(await getImport(t, network, res.body.id)).toMatchObject({ totalRows: null, failureReason: cancel.body.failureReason });
    expect((await usersOf(t, network)).size).toBe(0);
    // The failure e-mail, which carries failureReason, is not sent for a dry run: it changed nothing to report.
    const mails = await t.runtime.dataSource.query<unknown[]>(`SELECT 1 FROM mail_outbox WHERE import_id = $1`, [res.body.id]);
    expect(mails).toEqual([]);
  });
});

describe('a queued import while another import of its network holds the network\'s import lock', () => {
  let t: TestApp;
  let release: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    t = await startTestApp({ IMPORT_WORKER_ENABLED: 'false' });
  });
  afterEach(async () => {
    await release?.();
    release = undefined;
  });
  afterAll(() => t.close());

  /** Holds the network's import lock, as the worker applying another import of the network does. */
  async function anotherImportRuns(network: string): Promise<void> {
    const lock = await t.app.get(DistributedLock).tryAcquire(importLockKey(network));
    if (!lock) throw new Error('the lock was taken');
    release = () => lock.release();
  }

  // It answered 202 "queued", and the import ended only once the running one had finished.
  it('is ended at once: 200, failed, cancelledBy, nothing changed', async () => {
    const network = uniqueNetworkId('cancel');
    const auth = await t.authHeader([network], ADMIN);
    const res = await upload(t, network, manyUsers(3), {}, { auth });
    await anotherImportRuns(network);

    const cancel = await t.http.post(importsPath(network, `/${res.body.id}/cancel`)).set(auth);
    expect(cancel.status).toBe(200);
    expect(cancel.headers.location).toBeUndefined();
    expect(cancel.body).toMatchObject({
      status: 'failed',
      cancelledBy: ADMIN,
      failureReason: 'Cancelled by admin@acme.example before any line was applied: nothing was changed.',
      counts: { rows: 0 },
      totalRows: null,
    });
    expect(await getImport(t, network, res.body.id)).toMatchObject({ status: 'failed', cancelledBy: ADMIN });
    // A worker that had read it as queued just before comes second to claim it: it finds it ended, and applies nothing.
    await release?.();
    release = undefined;
    expect((await t.app.get(ImportProcessor).process(res.body.id)).status).toBe('failed');
    expect((await usersOf(t, network)).size).toBe(0);
  });

  it('raced against a worker taking it up, 20 times: it ends once, cancelled or completed, and the report matches the users', async () => {
    for (let round = 0; round < 20; round++) {
      const network = uniqueNetworkId('cancel');
      const auth = await t.authHeader([network], ADMIN);
      const res = await upload(t, network, manyUsers(3), {}, { auth });
      // The worker holds the network's lock for this very import, as it does when it has just picked it.
      await anotherImportRuns(network);
      const [cancel, processed] = await Promise.all([
        t.http.post(importsPath(network, `/${res.body.id}/cancel`)).set(auth),
        t.app.get(ImportProcessor).process(res.body.id),
      ]);
      const report = await getImport(t, network, res.body.id);
      if (cancel.status === 409) {
        expect(report.status).toBe('completed');
      } else {
        expect([200, 202]).toContain(cancel.status);
        expect(report).toMatchObject({ status: 'failed', cancelledBy: ADMIN });
      }
      expect(processed.status).toBe(report.status);
      expect((await usersOf(t, network)).size).toBe(report.counts.created);
      await release?.();
      release = undefined;
    }
  });

  it('a worker\'s claim that comes second finds it ended and begins nothing', async () => {
    const network = uniqueNetworkId('cancel');
    const auth = await t.authHeader([network], ADMIN);
    const res = await upload(t, network, manyUsers(3), {}, { auth });
    await anotherImportRuns(network);
    expect((await t.http.post(importsPath(network, `/${res.body.id}/cancel`)).set(auth)).status).toBe(200);
    const begun = await t.app.get(ImportRepository).beginApplying(res.body.id, { columns: [], delimiter: ',', warnings: [] }, new Date());
    expect(begun).toBe(false);
    expect(await getImport(t, network, res.body.id)).toMatchObject({ status: 'failed', cancelledBy: ADMIN });
  });

  it('a worker\'s claim that came first: 202, left to that worker, which ends it having applied nothing', async () => {
    const network = uniqueNetworkId('cancel');
    const auth = await t.authHeader([network], ADMIN);
    const res = await upload(t, network, manyUsers(3), {}, { auth });
    await anotherImportRuns(network);
    // The worker that claimed it is reading its file, under the lock held above.
    expect(await t.app.get(ImportRepository).beginApplying(res.body.id, { columns: [], delimiter: ',', warnings: [] }, new Date())).toBe(true);

    const cancel = await t.http.post(importsPath(network, `/${res.body.id}/cancel`)).set(auth);
    expect(cancel.status).toBe(202);
    expect(cancel.body.status).toBe('running');
    await release?.();
    release = undefined;
    const report = await t.app.get(ImportProcessor).process(res.body.id);
    expect(report).toMatchObject({ status: 'failed', cancelRequestedBy: ADMIN, counts: { rows: 0 } });
    expect((await usersOf(t, network)).size).toBe(0);
  });
});
