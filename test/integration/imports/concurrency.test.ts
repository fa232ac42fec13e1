/**
 * Concurrency: two imports on one network never interleave (two service instances, both with a worker, given
 * one file each at the same moment: the result is one file applied after the other), and an API edit made while
 * an import is applying batches is never lost (optimistic concurrency on the user's stream).
 */
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { expectUsersMatchEvents } from '../../support/replay.js';
import { usersPath } from '../../support/users-api.js';
import { createUserOverHttp } from '../../support/users-api.js';
import { getImport, historyOf, importCsv, upload, usersOf, waitForImport, type ImportReportBody } from '../../support/imports.js';

let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  // Small batches: many chances to interleave if nothing prevented it.
  a = await startTestApp({ IMPORT_WORKER_ENABLED: 'true', IMPORT_BATCH_SIZE: '25', DB_POOL_SIZE: '8' });
  b = await startTestApp({ IMPORT_WORKER_ENABLED: 'true', IMPORT_BATCH_SIZE: '25', DB_POOL_SIZE: '8' });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
});

const N = 400;
const file = (tag: string, n = N) =>
  ['email/login,name,title,mobile', ...Array.from({ length: n }, (_, i) => `user${i}@acme.example,User ${i},${tag} ${i},+44 7911 ${String(100000 + i)}`)].join('\n') + '\n';

async function versionsOf(app: TestApp, network: string) {
  return app.runtime.dataSource.query<{ stream_id: string; versions: number[]; imports: (string | null)[] }[]>(
    `SELECT e.stream_id, array_agg(e.stream_version ORDER BY e.stream_version) AS versions,
            array_agg(m.metadata->>'importId' ORDER BY e.stream_version) AS imports
       FROM events e JOIN event_metadata m ON m.id = e.metadata_id WHERE e.network_id = $1 AND e.stream_type = 'user' GROUP BY e.stream_id`,
    [network],
  );
}

describe('two imports on the same network', () => {
  it('started together on two instances: serialised, the final state is one file applied after the other, versions gapless', async () => {
    const network = uniqueNetworkId('conc');
    const [ra, rb] = await Promise.all([upload(a, network, file('Alpha'), { mode: 'update' }), upload(b, network, file('Beta'), { mode: 'update' })]);
    expect([ra.status, rb.status]).toEqual([202, 202]);
    const [repA, repB] = await Promise.all([waitForImport(a, network, ra.body.id, 60_000), waitForImport(b, network, rb.body.id, 60_000)]);
    expect([repA.status, repB.status]).toEqual(['completed', 'completed']);

    const [first, second] = [repA, repB].sort((x, y) => Date.parse(x.startedAt!) - Date.parse(y.startedAt!)) as [ImportReportBody, ImportReportBody];
    // One ran after the other: the second began (staged its view of the network) after the first had finished.
    expect(Date.parse(second.startedAt!)).toBeGreaterThanOrEqual(Date.parse(first.finishedAt!));
    expect(first.counts).toMatchObject({ rows: N, created: N });
    expect(second.counts).toMatchObject({ rows: N, updated: N, created: 0, rejected: 0 });

    // Final state: the second file's values for everyone.
    const secondTag = second.id === repA.id ? 'Alpha' : 'Beta';
    const users = await usersOf(a, network);
    expect(users.size).toBe(N);
    for (const [email, u] of users) expect(u.title).toBe(`${secondTag} ${email.match(/\d+/)![0]}`);

    // Every stream: versions 1..n without gaps, the first import's events, then the second's.
    const streams = await versionsOf(a, network);
    expect(streams).toHaveLength(N);
    for (const s of streams) {
      expect(s.versions).toEqual(s.versions.map((_, i) => i + 1));
      expect(s.imports).toEqual([first.id, second.id]);
    }
    await expectUsersMatchEvents(a, network);
  });

  it('three imports queued at once on one instance also run one at a time, in upload order', async () => {
    const network = uniqueNetworkId('conc');
    const ids: string[] = [];
    for (const tag of ['One', 'Two', 'Three']) {
      const res = await upload(a, network, file(tag, 100), { mode: 'update' });
      expect(res.status).toBe(202);
      ids.push(res.body.id);
    }
    const reports = await Promise.all(ids.map((id) => waitForImport(a, network, id, 60_000)));
    for (let i = 1; i < reports.length; i++) expect(Date.parse(reports[i].startedAt!)).toBeGreaterThanOrEqual(Date.parse(reports[i - 1].finishedAt!));
    const users = await usersOf(a, network);
    for (const [email, u] of users) expect(u.title).toBe(`Three ${email.match(/\d+/)![0]}`);
    await expectUsersMatchEvents(a, network);
  });
});

describe('API edits during an import', () => {
  it('are never lost, never a 5xx, and the import still completes, even aimed at the rows being applied', async () => {
    const network = uniqueNetworkId('conc');
    const M = 1500;
    const base = await importCsv(a, network, file('Base', M));
    expect(base.counts.created).toBe(M);
    const users = await usersOf(a, network);
    const auth = await a.authHeader([network]);

    const res = await upload(a, network, file('Imported', M), { mode: 'update' });
    expect(res.status).toBe(202);

    // Four writers edit another field of users just ahead of the import's progress, until it ends.
    const accepted = new Map<number, string[]>();
    const statuses: Record<number, number> = {};
    let running = true;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let n = 0; running; n++) {
        const progress = (await a.http.get(`/api/v1/networks/${network}/imports/${res.body.id}`).set(auth)).body;
        if (progress.status === 'completed' || progress.status === 'failed') break;
        const i = Math.min(M - 1, progress.counts.rows + Math.floor(Math.random() * 40));
        const lastName = `Edited ${w}-${n}`;
        const patch = await a.http.patch(usersPath(network, `/${users.get(`user${i}@acme.example`)!.id}`)).set(auth).send({ lastName });
        statuses[patch.status] = (statuses[patch.status] ?? 0) + 1;
        if (patch.status === 200) accepted.set(i, [...(accepted.get(i) ?? []), lastName]);
      }
    });
    const report = await waitForImport(a, network, res.body.id, 120_000);
    running = false;
    await Promise.all(writers);

    expect(report.status).toBe('completed');
    expect(report.counts).toMatchObject({ rows: M, updated: M, rejected: 0 });
    expect(Object.keys(statuses).filter((s) => s !== '200' && s !== '409')).toEqual([]);
    expect(accepted.size).toBeGreaterThan(20);

    const after = await usersOf(a, network);
    for (const [i, edits] of accepted) {
      const u = after.get(`user${i}@acme.example`)!;
      const history = await historyOf(a, network, u.id);
      expect(history.map((e) => e.version)).toEqual(history.map((_, k) => k + 1));
      expect(u.version).toBe(history.length);
      // The import's change and every accepted edit are in the history, and in the state.
      expect(history.filter((e) => e.importId === report.id).map((e) => e.data.changes)).toEqual([{ title: `Imported ${i}` }]);
      const editedNames = history.filter((e) => e.importId === null && e.type === 'UserProfileUpdated').map((e) => e.data.changes.lastName);
      expect(editedNames.sort()).toEqual([...edits].sort());
      expect(u.title).toBe(`Imported ${i}`);
      expect(u.lastName).toBe(history.filter((e) => e.importId === null && e.type === 'UserProfileUpdated').at(-1)!.data.changes.lastName);
    }
    await expectUsersMatchEvents(a, network);
    console.log(`API edits during the import: ${JSON.stringify(statuses)}`);
  });
});

describe('a user created through the API while an import that creates them runs', () => {
  /** a@ names m@ as manager; m@ is a new user of the file; 3,000 other lines keep the import busy (batches of 25). */
  function fileWith(managerLine: 'before' | 'after') {
    const filler = Array.from({ length: 3000 }, (_, i) => `f${i}@acme.example,F${i},`);
    const a = 'a@acme.example,A,m@acme.example';
    const m = 'm@acme.example,M From File,';
    const lines = managerLine === 'after' ? [a, ...filler, m] : [...filler.slice(0, 1500), m, ...filler.slice(1500), a];
    return ['email/login,name,manager', ...lines].join('\n') + '\n';
  }

  async function createWhen(network: string, importId: string, ready: (rows: number) => boolean) {
    for (;;) {
      const r = await getImport(a, network, importId);
      if (ready(r.counts.rows)) return r.counts.rows;
      if (r.status !== 'queued' && r.status !== 'running') throw new Error(`import ended first: ${JSON.stringify(r)}`);
      await new Promise((res) => setTimeout(res, 2));
    }
  }

  it.each(['before', 'after'] as const)(
    'manager line %s the line naming them: the named user points at the user who really has that e-mail',
    async (managerLine) => {
      const network = uniqueNetworkId('race');
      const res = await upload(a, network, fileWith(managerLine));
      expect(res.status).toBe(202);
      // Created while the import runs, before it reaches m@'s line; for "after", once a@ (line 2) has been applied
      // (its link to m@, a manager further on, waiting for the whole file).
      const at = await createWhen(network, res.body.id, (rows) => rows >= 1);
      const m = await createUserOverHttp(a, network, { email: 'm@acme.example', name: 'M From API' });
      const report = await waitForImport(a, network, res.body.id, 60_000);
      expect(at).toBeLessThan(1500);
      expect(report.status).toBe('completed');
      expect(report.counts).toMatchObject({ rows: 3002, created: 3001, skipped: 1 });
      const users = await usersOf(a, network);
      expect(users.get('m@acme.example')).toMatchObject({ id: m.id, name: 'M From API' });
      expect(users.get('a@acme.example')).toMatchObject({ managerId: m.id, managerEmail: 'm@acme.example' });
      const managerIds = new Set([...users.values()].map((u) => u.id));
      for (const u of users.values()) if (u.managerId) expect(managerIds.has(u.managerId)).toBe(true);
      const history = await historyOf(a, network, users.get('a@acme.example')!.id);
      expect(history.map((e) => e.version)).toEqual(history.map((_, i) => i + 1));
      // UserCreated when the import created a@ with m@ already there, else the link made once the whole file was read.
      const managerFacts = history.filter((e) => e.type === 'UserCreated' || e.type === 'UserManagerAssigned');
      expect(managerFacts.at(-1)).toMatchObject({ type: managerLine === 'before' ? 'UserCreated' : 'UserManagerAssigned', data: { managerId: m.id }, importId: res.body.id });
      await expectUsersMatchEvents(a, network);
    },
  );
});
