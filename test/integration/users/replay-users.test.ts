/**
 * Replaying the users' events against the users table (ReplayUsersCommand and `office-chat-users replay-users`):
 * after every way users are written (the API's commands, imports that create, update, link managers forward and
 * invite, a dry run), the table is exactly what the events give; rows changed behind the service's back are found,
 * named, and rewritten from the events with --repair. On a database of its own, so that replaying every network
 * meets only this suite's users (other suites write streams no release could replay).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { CommandBus } from '@nestjs/cqrs';
import { ReplayUsersCommand, type UsersReplayReport } from '../../../src/modules/users/application/replay-users/replay-users.command.js';
import { startTestApp, type TestApp, uniqueNetworkId } from '../../support/app.js';
import { createFreshDatabase, type FreshDatabase } from '../../support/fresh-database.js';
import { csv, importCsv, usersOf } from '../../support/imports.js';
import { createUserOverHttp, usersPath } from '../../support/users-api.js';
import { spawnCli } from '../imports/support/cli-process.js';
import { ensureBuilt } from '../imports/support/service-process.js';

jest.setTimeout(120_000);

let t: TestApp;
let network: string;
let other: string;
let dir: string;
let database: FreshDatabase;

const replay = (options: { networkId?: string; repair: boolean }): Promise<UsersReplayReport> =>
  t.app.get(CommandBus).execute(new ReplayUsersCommand(options));

/** Every column of the network's rows, as PostgreSQL prints them, in id order. */
async function tableOf(networkId: string): Promise<string[]> {
  const rows = await t.runtime.dataSource.query<{ row: string }[]>(`SELECT u::text AS row FROM users u WHERE network_id = $1 ORDER BY id`, [networkId]);
  return rows.map((r) => r.row);
}

const sql = (text: string, params: unknown[] = []) => t.runtime.dataSource.query(text, params);

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(join(tmpdir(), 'ocu-replay-'));
  database = await createFreshDatabase('replay');
  t = await startTestApp({ IMPORT_WORKER_ENABLED: 'true', DATABASE_URL: database.url });
  network = uniqueNetworkId('replay');
  other = uniqueNetworkId('replay-other');
  const auth = await t.authHeader([network]);

  // The API's commands: create with a manager, edit, deactivate, activate, invite.
  const boss = await createUserOverHttp(t, network, { email: 'boss@acme.example', name: 'Boss' });
  const ann = await createUserOverHttp(t, network, { email: 'ann@acme.example', name: 'Ann', managerId: boss.id });
  await t.http.patch(usersPath(network, `/${ann.id}`)).set(auth).send({ title: 'Engineer', mobile: '+44 20 7946 0958' }).expect(200);
  await t.http.post(usersPath(network, `/${ann.id}/deactivate`)).set(auth).expect(200);
  await t.http.post(usersPath(network, `/${ann.id}/activate`)).set(auth).expect(200);
  await t.http.post(usersPath(network, `/${boss.id}/invitation`)).set(auth).expect(200);

  // Imports: new users with a manager further down the file and invitations, then an update of some of them
  // (fields, a deactivation, a new manager), a dry run that must change nothing, and users in another network.
  const created = await importCsv(
    t,
    network,
    csv(
      'email/login,name,title,manager,Enabled',
      'cat@acme.example,Cat,Designer,dan@acme.example,TRUE',
      'dan@acme.example,Dan,Lead,boss@acme.example,',
      'eve@acme.example,Eve,,cat@acme.example,TRUE',
      'fay@acme.example,Fay,,,FALSE',
    ),
    { autoSendInvites: 'true' },
  );
  expect(created.counts).toMatchObject({ created: 3, skipped: 1 });
  const updated = await importCsv(
    t,
    network,
    csv('email/login,title,mobile,manager,Enabled', 'cat@acme.example,Art director,,boss@acme.example,', 'eve@acme.example,,(+91)1234123411,,FALSE', 'ann@acme.example,Staff engineer,,,'),
    { mode: 'update' },
  );
  expect(updated.counts).toMatchObject({ updated: 3, deactivated: 1 });
  const dry = await importCsv(t, network, csv('email/login,name', 'gus@acme.example,Gus', 'ann@acme.example,Ann B'), { mode: 'update', dryRun: 'true' });
  expect(dry.counts).toMatchObject({ created: 1, updated: 1 });
  await importCsv(t, other, csv('email/login,name,manager', 'ann@other.example,Ann,', 'bob@other.example,Bob,ann@other.example'));
});

afterAll(async () => {
  await t?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('replaying the users’ events', () => {
  it('finds the table exactly what the events give after the API and imports wrote it', async () => {
    const report = await replay({ networkId: network, repair: false });
    expect(report).toEqual({
      networkId: network,
      users: 5,
      events: expect.any(Number),
      rows: 5,
      differences: { missing: 0, unbacked: 0, different: 0, unreadable: 0 },
      examples: [],
      repaired: 0,
    });
    // Ann alone has 8 events: created, changed, deactivated, activated, changed by the import, and so on.
    expect(report.events).toBeGreaterThanOrEqual(15);
    expect((await usersOf(t, network)).size).toBe(5);
  });

  it('names each row changed behind its back, changes nothing, and --repair rewrites the table the events give', async () => {
    const before = await tableOf(network);
    const users = await usersOf(t, network);
    const id = (email: string) => users.get(email)!.id as string;
    await sql(`UPDATE users SET title = 'Hacked', updated_at = updated_at + interval '1 day' WHERE network_id = $1 AND id = $2`, [network, id('cat@acme.example')]);
    await sql(`UPDATE users SET status = 'active', manager_id = NULL WHERE network_id = $1 AND id = $2`, [network, id('eve@acme.example')]);
    await sql(`DELETE FROM users WHERE network_id = $1 AND id = $2`, [network, id('dan@acme.example')]);
    // Two users trading e-mails: only a rewrite of both at once gets past the unique e-mail index.
    const setEmail = (email: string, of: string) =>
      sql(`UPDATE users SET email = $3, email_key = $3 WHERE network_id = $1 AND id = $2`, [network, id(of), email]);
    await setEmail('swap@acme.example', 'ann@acme.example');
    await setEmail('ann@acme.example', 'boss@acme.example');
    await setEmail('boss@acme.example', 'ann@acme.example');
    await sql(
      `INSERT INTO users (network_id, id, email, email_key, name, status, invitation, version, created_at, updated_at)
       VALUES ($1, '00000000-0000-4000-8000-000000000001', 'ghost@acme.example', 'ghost@acme.example', 'Ghost', 'active', 'none', 1, now(), now())`,
      [network],
    );

    const check = await replay({ networkId: network, repair: false });
    expect(check.differences).toEqual({ missing: 1, unbacked: 1, different: 4, unreadable: 0 });
    expect(check.repaired).toBe(0);
    const byUser = new Map(check.examples.map((d) => [d.userId, d]));
    expect(byUser.get(id('cat@acme.example'))).toEqual({ networkId: network, userId: id('cat@acme.example'), kind: 'different', fields: ['title', 'updated_at'] });
    expect(byUser.get(id('eve@acme.example'))!.fields).toEqual(['manager_id', 'status']);
    expect(byUser.get(id('dan@acme.example'))!.kind).toBe('missing');
    expect(byUser.get(id('ann@acme.example'))!.fields).toEqual(['email']);
    expect(byUser.get(id('boss@acme.example'))!.fields).toEqual(['email']);
    expect(byUser.get('00000000-0000-4000-8000-000000000001')!.kind).toBe('unbacked');
    // The check only read: the damage is still there.
    expect(await tableOf(network)).not.toEqual(before);

    const repair = await replay({ networkId: network, repair: true });
    expect(repair.differences).toEqual(check.differences);
    expect(repair.repaired).toBe(6);
    expect(await tableOf(network)).toEqual(before);
    expect((await replay({ networkId: network, repair: false })).differences).toEqual({ missing: 0, unbacked: 0, different: 0, unreadable: 0 });
  });

  it('replays every network when none is named, and leaves the other networks’ rows alone when one is', async () => {
    const otherBefore = await tableOf(other);
    await sql(`UPDATE users SET name = 'Robert' WHERE network_id = $1 AND email = 'bob@other.example'`, [other]);
    const one = await replay({ networkId: network, repair: true });
    expect(one.differences).toEqual({ missing: 0, unbacked: 0, different: 0, unreadable: 0 });
    expect(await tableOf(other)).not.toEqual(otherBefore);

    const all = await replay({ repair: false });
    expect(all.networkId).toBeNull();
    expect(all.examples).toEqual([expect.objectContaining({ networkId: other, kind: 'different', fields: ['name'] })]);
    expect(all).toMatchObject({ users: 7, rows: 7 });
    await replay({ repair: true });
    expect(await tableOf(other)).toEqual(otherBefore);
  });

  it('reports a stream with an event this release does not know, and leaves its row as it is', async () => {
    const [dan] = await sql(`SELECT id, version FROM users WHERE network_id = $1 AND email = 'dan@acme.example'`, [network]);
    await sql(`UPDATE users SET title = 'Hacked' WHERE network_id = $1 AND id = $2`, [network, dan.id]);
    await sql(
      `INSERT INTO events (event_id, network_id, stream_type, stream_id, stream_version, type, schema_version, data, metadata_id, recorded_at)
       SELECT gen_random_uuid(), network_id, stream_type, stream_id, $2, 'UserNicknamed', 1, '{"nickname":"D"}', metadata_id, now()
         FROM events WHERE stream_id = $1 AND stream_version = 1`,
      [dan.id, dan.version + 1],
    );
    const repair = await replay({ networkId: network, repair: true });
    expect(repair.differences).toEqual({ missing: 0, unbacked: 0, different: 0, unreadable: 1 });
    expect(repair.examples).toEqual([
      { networkId: network, userId: dan.id, kind: 'unreadable', fields: [], reason: `event ${dan.version + 1} is a UserNicknamed, which this release does not know` },
    ]);
    expect(repair.repaired).toBe(0);
    const [after] = await sql(`SELECT title FROM users WHERE id = $1`, [dan.id]);
    expect(after.title).toBe('Hacked');
    await sql(`DELETE FROM events WHERE stream_id = $1 AND type = 'UserNicknamed'`, [dan.id]);
    await replay({ networkId: network, repair: true });
  });

  it('office-chat-users replay-users: exit 1 naming the rows, exit 0 once --repair has mended them', async () => {
    await sql(`UPDATE users SET title = 'Hacked' WHERE network_id = $1 AND email = 'cat@acme.example'`, [network]);
    const env = { NODE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: database.url, DATA_DIR: join(dir, 'var') };
    const run = (...args: string[]) => spawnCli(['replay-users', '--network', network, ...args], { cwd: dir, env, timeoutMs: 60_000 }).done;

    const check = await run();
    expect(check.stderr).toBe('');
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`Replayed 5 users`);
    expect(check.stdout).toMatch(/1 difference between the events and the table \(0 missing, 1 different, 0 with no events\):\n {2}\S+ {2}[0-9a-f-]{36} {2}differs in title\n/);
    expect(check.stdout).toContain('run again with --repair');

    const repaired = await run('--repair', '--json');
    expect(repaired.code).toBe(0);
    expect(JSON.parse(repaired.stdout)).toMatchObject({ networkId: network, repaired: 1, differences: { different: 1 } });

    const clean = await run();
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('The users table is what the events give.');

    // An unset shell variable (--network "$NETWORK") is a usage mistake, not a check of every network.
    const unset = await spawnCli(['replay-users', '--network', ''], { cwd: dir, env, timeoutMs: 60_000 }).done;
    expect(unset).toMatchObject({ code: 2, stdout: '', stderr: 'office-chat-users: --network "" is not a network id: give the id without spaces around it.\n' });
  });
});
