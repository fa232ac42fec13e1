/**
 * The relay sends events in the order their transactions took their ids (see event-store.port.ts). An import's
 * batches are written two at a time, each appending the import's next event: a batch must take its place in that
 * order before the next one starts, or consumers of the imports topic see batch 5's event before batch 4's.
 */
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { csv, importCsv } from '../../support/imports.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ IMPORT_WORKER_ENABLED: 'true', IMPORT_BATCH_SIZE: '10' });
});
afterAll(() => t.close());

const users = (title: (batch: number) => string) =>
  csv('email,name,title', ...Array.from({ length: 400 }, (_, i) => `u${i}@acme.example,User ${i},${title(Math.floor(i / 10))}`));

/** The import's events in the order the relay reads them: their versions. */
async function versionsInRelayOrder(importId: string): Promise<number[]> {
  const rows = await t.runtime.dataSource.query<{ stream_version: number }[]>(
    `SELECT stream_version FROM events WHERE stream_type = 'import' AND stream_id = $1 ORDER BY transaction_id, position`,
    [importId],
  );
  return rows.map((r) => Number(r.stream_version));
}

it('a re-import whose batches alternate between changing nothing and changing every line: its events in version order', async () => {
  const network = uniqueNetworkId('order');
  const first = await importCsv(t, network, users(() => 'Engineer'));
  expect(first.counts).toMatchObject({ rows: 400, created: 400 });
  // A batch that changes nothing writes no user event: without its place taken first, its first write is its
  // import event, after the next batch (which changes every line) has begun writing users.
  const again = await importCsv(t, network, users((batch) => (batch % 2 === 0 ? 'Engineer' : `Lead ${batch}`)), { mode: 'update' });
  expect(again.counts).toMatchObject({ rows: 400, unchanged: 200, updated: 200 });
  for (const report of [first, again]) {
    const versions = await versionsInRelayOrder(report.id);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(versions.length).toBeGreaterThan(40);
  }
});
