/**
 * One network's queue of imports never holds up another network's: an admin who queues many uploads at once only
 * waits for their own. (The worker looked at the 100 oldest pending imports; when they were all one network's, it
 * ran one of them and never saw the other networks' imports behind them.)
 */
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { csv, importsPath, upload, waitForImport } from '../../support/imports.js';

const QUEUED = 150;
let uploader: TestApp;
let worker: TestApp | undefined;

beforeAll(async () => {
  uploader = await startTestApp({ IMPORT_WORKER_ENABLED: 'false' });
});
afterAll(async () => {
  await worker?.close();
  await uploader.close();
});

it(`network B's import runs while network A still has most of its ${QUEUED} queued imports waiting`, async () => {
  const networkA = uniqueNetworkId('flood');
  const networkB = uniqueNetworkId('patient');
  const authA = await uploader.authHeader([networkA]);
  for (let i = 0; i < QUEUED; i++) {
    const res = await upload(uploader, networkA, csv('email/login,name', `u${i}@a.example,U${i}`), {}, { auth: authA });
    expect(res.status).toBe(202);
  }
  const mine = await upload(uploader, networkB, csv('email/login,name', 'ann@b.example,Ann'));
  expect(mine.status).toBe(202);

  worker = await startTestApp({ IMPORT_WORKER_ENABLED: 'true' });
  const report = await waitForImport(worker, networkB, mine.body.id, 60_000);
  expect(report).toMatchObject({ status: 'completed', counts: expect.objectContaining({ created: 1 }) });

  // Imports of one network run one at a time: when B's was done, A's queue had hardly moved.
  const listed: { finishedAt: string | null }[] = [];
  for (let cursor: string | null = null; ; ) {
    const res: { body: { items: { finishedAt: string | null }[]; nextCursor: string | null } } = await uploader.http.get(importsPath(networkA)).query({ limit: 100, ...(cursor ? { cursor } : {}) }).set(authA).expect(200);
    listed.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) break;
  }
  expect(listed).toHaveLength(QUEUED);
  const finishedBeforeB = listed.filter((i) => i.finishedAt !== null && i.finishedAt <= report.finishedAt!);
  expect(finishedBeforeB.length).toBeLessThan(QUEUED - 100);
}, 120_000);
