/**
 * Durability, with the built service as real processes: a 50,000-row import is SIGKILLed mid-way and a new
 * process finishes it, applying every row exactly once; one killed while it makes the manager links that waited
 * for the whole file is finished by the next with every link made once; and with two processes running, killing
 * the one that holds an import lets the other take it over and finish it. After each, the users table is what the
 * events give (replay-users).
 */
import { tmpdir } from 'node:os';
import { jest } from '@jest/globals';
import pg from 'pg';
import { testDatabaseUrl, testToken, uniqueNetworkId } from '../../support/app.js';
import { spawnCli } from './support/cli-process.js';
import { ensureBuilt, startService, type ServiceProcess } from './support/service-process.js';

const ROWS = 50_000;
jest.setTimeout(300_000);

let db: pg.Client;
const running: ServiceProcess[] = [];

beforeAll(async () => {
  ensureBuilt();
  db = new pg.Client({ connectionString: testDatabaseUrl() });
  await db.connect();
});
// A process left running from one test would claim the next test's import (each worker takes any queued one).
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.kill()));
});
afterAll(async () => {
  await db?.end();
});

async function start(name: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
  const service = await startService(name, env);
  running.push(service);
  return service;
}

/** 50,000 new users; every 7th names as manager a user 600 lines further on (a forward reference across batches). */
function bigFile(rows = ROWS): Buffer {
  const lines = ['email/login,name,title,manager'];
  for (let i = 0; i < rows; i++) {
    const manager = i % 7 === 0 && i + 600 < rows ? `user${i + 600}@acme.example` : '';
    lines.push(`user${i}@acme.example,User ${i},Title ${i % 97},${manager}`);
  }
  return Buffer.from(lines.join('\n') + '\n');
}

async function uploadTo(service: ServiceProcess, network: string, file: Buffer): Promise<string> {
  const form = new FormData();
  form.append('mode', 'skip');
  form.append('file', new Blob([new Uint8Array(file)], { type: 'text/csv' }), 'big.csv');
  const res = await fetch(`${service.baseUrl}/api/v1/networks/${network}/imports`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${await testToken([network])}` },
    body: form,
  });
  const body = (await res.json()) as { id: string };
  if (res.status !== 202) throw new Error(`upload answered ${res.status}: ${JSON.stringify(body)}`);
  return body.id;
}

interface Report {
  status: string;
  totalRows: number | null;
  counts: Record<string, number>;
  finishedAt: string | null;
}

async function report(service: ServiceProcess, network: string, importId: string): Promise<Report> {
  const res = await fetch(`${service.baseUrl}/api/v1/networks/${network}/imports/${importId}`, {
    headers: { Authorization: `Bearer ${await testToken([network])}` },
  });
  if (res.status !== 200) throw new Error(`report answered ${res.status}`);
  return (await res.json()) as Report;
}

/** Polls until `until` holds for the report, or fails after the timeout. */
async function pollReport(service: ServiceProcess, network: string, importId: string, until: (r: Report) => boolean, timeoutMs: number): Promise<Report> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await report(service, network, importId);
    if (until(r)) return r;
    if (r.status === 'completed' || r.status === 'failed') throw new Error(`import ended before the condition held: ${JSON.stringify(r)}`);
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(r)}`);
    await new Promise((res) => setTimeout(res, 10));
  }
}

/** Every row applied exactly once: the report, the users, their events, and the import's own stream. */
async function expectAppliedExactlyOnce(network: string, importId: string, rows: number, done: Report) {
  expect(done.status).toBe('completed');
  expect(done.counts).toMatchObject({ rows, created: rows, updated: 0, unchanged: 0, skipped: 0, rejected: 0 });

  const [{ users }] = (await db.query(`SELECT count(*)::int AS users FROM users WHERE network_id = $1`, [network])).rows;
  expect(users).toBe(rows);
  const created = await db.query<{ streams: number; min: number; max: number; events: number }>(
    `SELECT count(*)::int AS streams, min(n)::int AS min, max(n)::int AS max, sum(n)::int AS events
       FROM (SELECT stream_id, count(*) AS n FROM events WHERE network_id = $1 AND type = 'UserCreated' GROUP BY stream_id) s`,
    [network],
  );
  expect(created.rows[0]).toEqual({ streams: rows, min: 1, max: 1, events: rows });
  // The import's manager notes and kept e-mails went with the transaction that completed it: none is left behind.
  const [{ notes }] = (
    await db.query(
      `SELECT (SELECT count(*) FROM import_manager_links WHERE import_id = $1) + (SELECT count(*) FROM import_spilled_emails WHERE import_id = $1) AS notes`,
      [importId],
    )
  ).rows;
  expect(Number(notes)).toBe(0);
  // Every user stream's versions are 1..n, and the read model's version is n.
  const gaps = await db.query(
    `SELECT e.stream_id FROM events e WHERE e.network_id = $1 AND e.stream_type = 'user'
      GROUP BY e.stream_id HAVING max(e.stream_version) <> count(*)
     UNION ALL
     SELECT u.id FROM users u WHERE u.network_id = $1
        AND u.version <> (SELECT count(*) FROM events e WHERE e.network_id = $1 AND e.stream_id = u.id)`,
    [network],
  );
  expect(gaps.rows).toEqual([]);
  // Forward references survived the restart: every 7th user has the manager named 600 lines on.
  const [{ managed }] = (
    await db.query(
      `SELECT count(*)::int AS managed FROM users u JOIN users m ON m.network_id = u.network_id AND m.id = u.manager_id
        WHERE u.network_id = $1 AND m.email = 'user' || (substring(u.email from 'user(\\d+)@')::int + 600) || '@acme.example'`,
      [network],
    )
  ).rows;
  expect(managed).toBe(Math.ceil((rows - 600) / 7));
  // Each of those links was made once: one UserManagerAssigned per such user, none for the others.
  const assigned = await db.query<{ users: number; most: number }>(
    `SELECT count(*)::int AS users, coalesce(max(n), 0)::int AS most
       FROM (SELECT stream_id, count(*) AS n FROM events WHERE network_id = $1 AND type = 'UserManagerAssigned' GROUP BY stream_id) s`,
    [network],
  );
  expect(assigned.rows[0]).toEqual({ users: Math.ceil((rows - 600) / 7), most: 1 });

  // The import's stream: ImportStarted, batches 1..k in order with contiguous lines, ImportManagersLinked, ImportCompleted.
  const stream = await db.query<{ stream_version: number; type: string; data: any }>(
    `SELECT stream_version, type, data FROM events WHERE stream_id = $1 ORDER BY stream_version`,
    [importId],
  );
  const types = stream.rows.map((e) => e.type);
  expect(types[0]).toBe('ImportStarted');
  expect(types.slice(-2)).toEqual(['ImportManagersLinked', 'ImportCompleted']);
  expect(stream.rows.map((e) => e.stream_version)).toEqual(stream.rows.map((_, i) => i + 1));
  const batches = stream.rows.filter((e) => e.type === 'ImportBatchApplied').map((e) => e.data);
  expect(batches.map((b) => b.batch)).toEqual(batches.map((_, i) => i + 1));
  for (let i = 1; i < batches.length; i++) expect(batches[i].fromLine).toBeGreaterThan(batches[i - 1].throughLine);
  expect(batches.reduce((sum, b) => sum + b.counts.rows, 0)).toBe(rows);
  expect(batches.reduce((sum, b) => sum + b.counts.created, 0)).toBe(rows);

  // And every users row is exactly what its events give, as `office-chat-users replay-users` checks it.
  const replay = await spawnCli(['replay-users', '--network', network, '--json'], {
    cwd: tmpdir(),
    env: { NODE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: testDatabaseUrl() },
    timeoutMs: 60_000,
  }).done;
  expect({ code: replay.code, stderr: replay.stderr }).toEqual({ code: 0, stderr: '' });
  expect(JSON.parse(replay.stdout)).toMatchObject({ users: rows, rows, differences: { missing: 0, unbacked: 0, different: 0, unreadable: 0 } });
  return batches;
}

/** The service process whose database session holds the network's import lock, if any. */
async function lockHolder(network: string): Promise<string | null> {
  const { rows } = await db.query<{ application_name: string }>(
    `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted
        AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended($1, 0)`,
    [`imports:${network}`],
  );
  return rows[0]?.application_name ?? null;
}

describe('an import survives SIGKILL', () => {
  it('50,000 rows: killed once some batches are applied, a new process finishes it, every row applied exactly once', async () => {
    const network = uniqueNetworkId('durable');
    // Past 10,000 e-mails the keys are kept in the database: the second process must find its own lines' there.
    const spill = { IMPORT_EMAILS_IN_MEMORY: '10000' };
    const first = await start('durability-first', spill);
    const importId = await uploadTo(first, network, bigFile());

    const atKill = await pollReport(first, network, importId, (r) => r.counts.created >= 2_000, 120_000);
    await first.kill('SIGKILL');
    const killedAt = Date.now();
    expect(atKill.counts.created).toBeLessThan(ROWS);
    expect(atKill.status).toBe('running');

    const second = await start('durability-second', spill);
    const done = await pollReport(second, network, importId, (r) => r.status === 'completed', 180_000).catch(async (e) => {
      throw new Error(`${(e as Error).message}\n--- second process output:\n${second.output()}`);
    });
    const batches = await expectAppliedExactlyOnce(network, importId, ROWS, done);
    // The first process applied some batches, the second the rest.
    const [{ after }] = (
      await db.query(`SELECT count(*)::int AS after FROM events WHERE stream_id = $1 AND type = 'ImportBatchApplied' AND recorded_at > to_timestamp($2 / 1000.0)`, [importId, killedAt])
    ).rows;
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThan(batches.length);
  });
});

describe('an import killed while it makes the manager links', () => {
  it('the next process makes the links left, each once, and completes', async () => {
    const network = uniqueNetworkId('relink');
    // Small batches: the 4,200 links that wait for the whole file take many transactions to make.
    const first = await start('relink-first', { IMPORT_BATCH_SIZE: '100' });
    const importId = await uploadTo(first, network, bigFile(30_000));
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { rows } = await db.query<{ deciding: boolean }>(`SELECT phase = 'linking' AND managers_linked AS deciding FROM imports WHERE id = $1`, [importId]);
      if (rows[0].deciding) break;
      if (Date.now() > deadline) throw new Error('the links were never decided');
      await new Promise((r) => setTimeout(r, 2));
    }
    await first.kill('SIGKILL');
    const links = await db.query<{ made: number; total: number }>(
      `SELECT count(*) FILTER (WHERE made)::int AS made, count(*) FILTER (WHERE decision = 'made')::int AS total FROM import_manager_links WHERE import_id = $1`,
      [importId],
    );
    expect(links.rows[0].total).toBe(Math.ceil((30_000 - 600) / 7));
    expect(links.rows[0].made).toBeLessThan(links.rows[0].total);

    const second = await start('relink-second');
    const done = await pollReport(second, network, importId, (r) => r.status === 'completed', 180_000);
    await expectAppliedExactlyOnce(network, importId, 30_000, done);
  });
});

describe('another instance takes over', () => {
  it('two processes running: the one holding the import is killed, the other finishes it', async () => {
    const network = uniqueNetworkId('takeover');
    const [a, b] = await Promise.all([start('takeover-a'), start('takeover-b')]);
    const importId = await uploadTo(a, network, bigFile(20_000));

    await pollReport(a, network, importId, (r) => r.counts.created >= 1_000, 120_000);
    const holderName = await lockHolder(network);
    expect(['takeover-a', 'takeover-b']).toContain(holderName);
    const [holder, other] = holderName === 'takeover-a' ? [a, b] : [b, a];
    await holder.kill('SIGKILL');

    const done = await pollReport(other, network, importId, (r) => r.status === 'completed', 180_000);
    await expectAppliedExactlyOnce(network, importId, 20_000, done);
    expect(other.child.exitCode).toBeNull();
  });
});

describe('a service stopped with SIGTERM mid-import', () => {
  it('exits after the batch being written instead of finishing the whole import first, and the next process finishes it', async () => {
    const network = uniqueNetworkId('sigterm');
    const first = await start('sigterm-first');
    const importId = await uploadTo(first, network, bigFile());
    await pollReport(first, network, importId, (r) => r.counts.created >= 2_000, 120_000);
    await first.kill('SIGTERM');
    // A clean stop, as an orchestrator reads it: exit code 0, not the signal raised again.
    expect([first.child.exitCode, first.child.signalCode]).toEqual([0, null]);
    // Out before the end: the import is left for the next process, not finished during shutdown.
    const { rows } = await db.query<{ status: string; applied_through: number }>(`SELECT status, applied_through FROM imports WHERE id = $1`, [importId]);
    expect(rows[0].status).toBe('running');
    expect(rows[0].applied_through).toBeLessThan(ROWS + 1);
    expect(first.output()).not.toMatch(/"level":50/);

    const second = await start('sigterm-second');
    const done = await pollReport(second, network, importId, (r) => r.status === 'completed', 180_000);
    await expectAppliedExactlyOnce(network, importId, ROWS, done);
  });
});
