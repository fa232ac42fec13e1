/**
 * autoSendInvites: every user the import creates gets UserInvitationRequested (invitation "requested"), nobody
 * else does; without it nobody is invited (the admin can invite them later). dryRun: the same report the real
 * run gives, and nothing written about users.
 */
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { createUserOverHttp, expectProblem, usersPath } from '../../support/users-api.js';
import { csv, exclusiveSum, getImport, historyOf, importCsv, importsPath, upload, userEventCount, usersOf } from '../../support/imports.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ IMPORT_WORKER_ENABLED: 'true', IMPORT_BATCH_SIZE: '3' });
});
afterAll(() => t.close());

const FILE = csv(
  'email/login,name,title,manager,Enabled',
  'old@acme.example,,CTO,,TRUE', // existing: updated (update mode) or skipped (skip mode)
  'new1@acme.example,New One,,boss@acme.example,', // created, manager on a later line
  'new2@acme.example,New Two,,,TRUE', // created
  'off@acme.example,Off,,,FALSE', // skipped: FALSE never creates
  'bad,Bad,,,', // rejected
  'boss@acme.example,Boss,,ghost@acme.example,', // created, unknown manager: a warning
  'new2@acme.example,Dup,,,', // rejected: duplicate
);

async function networkWithOld() {
  const network = uniqueNetworkId('inv');
  const old = await createUserOverHttp(t, network, { email: 'old@acme.example', name: 'Old' });
  await t.http.post(usersPath(network, `/${old.id}/deactivate`)).set(await t.authHeader([network])).expect(200);
  return network;
}

describe('autoSendInvites', () => {
  it('true: each created user, and only they, get UserInvitationRequested', async () => {
    const network = await networkWithOld();
    const report = await importCsv(t, network, FILE, { mode: 'update', autoSendInvites: 'true' });
    expect(report.autoSendInvites).toBe(true);
    expect(report.counts).toEqual({ rows: 7, created: 3, updated: 1, activated: 1, deactivated: 0, unchanged: 0, skipped: 1, rejected: 2 });
    const users = await usersOf(t, network);
    expect([...users.values()].map((u) => [u.email, u.invitation]).sort()).toEqual([
      ['boss@acme.example', 'requested'],
      ['new1@acme.example', 'requested'],
      ['new2@acme.example', 'requested'],
      ['old@acme.example', 'none'],
    ]);
    for (const email of ['new1@acme.example', 'new2@acme.example', 'boss@acme.example']) {
      const history = await historyOf(t, network, users.get(email)!.id);
      const invitations = history.filter((e) => e.type === 'UserInvitationRequested');
      expect(invitations).toEqual([expect.objectContaining({ importId: report.id, data: expect.objectContaining({ email, networkId: network }) })]);
    }
    expect((await historyOf(t, network, users.get('old@acme.example')!.id)).map((e) => e.type)).not.toContain('UserInvitationRequested');
  });

  it('false (the default): nobody is invited', async () => {
    const network = await networkWithOld();
    const report = await importCsv(t, network, FILE, { mode: 'update' });
    expect(report.autoSendInvites).toBe(false);
    const users = await usersOf(t, network);
    expect([...users.values()].every((u) => u.invitation === 'none')).toBe(true);
    const [{ n }] = await t.runtime.dataSource.query(`SELECT count(*)::int AS n FROM events WHERE network_id = $1 AND type = 'UserInvitationRequested'`, [network]);
    expect(n).toBe(0);
  });

  it('POST .../invitations afterwards invites the users the import created, once', async () => {
    const network = await networkWithOld();
    const report = await importCsv(t, network, FILE, { mode: 'update' });
    expect(report.invitationsRequested).toBeNull();
    const auth = await t.authHeader([network], 'hr@acme.example');
    const first = await t.http.post(importsPath(network, `/${report.id}/invitations`)).set(auth);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ requested: 3 });
    // The report says so, for the admin who follows the e-mail's invite link next.
    const after = await getImport(t, network, report.id);
    expect(after.invitationsRequested).toEqual({ at: expect.any(String), by: 'hr@acme.example' });
    expect(Date.parse(after.invitationsRequested!.at)).toBeGreaterThanOrEqual(Date.parse(report.finishedAt!));
    const second = await t.http.post(importsPath(network, `/${report.id}/invitations`)).set(auth);
    expect(second.body).toEqual({ requested: 0 });
    const users = await usersOf(t, network);
    expect(users.get('old@acme.example')!.invitation).toBe('none');
    expect(users.get('new1@acme.example')!.invitation).toBe('requested');
  });
});

describe('dryRun', () => {
  it.each(['skip', 'update'])('mode %s: the full report the real run gives, and no user event, no user row', async (mode) => {
    const network = await networkWithOld();
    const usersBefore = await usersOf(t, network);
    const eventsBefore = await userEventCount(t, network);

    const dry = await importCsv(t, network, FILE, { mode, dryRun: 'true', autoSendInvites: 'true' });
    expect(dry.dryRun).toBe(true);
    expect(exclusiveSum(dry.counts)).toBe(7);
    expect(await userEventCount(t, network)).toBe(eventsBefore);
    expect(await usersOf(t, network)).toEqual(usersBefore);
    const errors = await t.http.get(importsPath(network, `/${dry.id}/errors`)).set(await t.authHeader([network]));
    expect(errors.body.items.map((e: { line: number }) => e.line)).toEqual([6, 8]);

    const real = await importCsv(t, network, FILE, { mode, autoSendInvites: 'true' });
    expect(real.counts).toEqual(dry.counts);
    expect(real.warnings).toEqual(dry.warnings);
    expect(real.counts.created).toBe(3);
    expect(await userEventCount(t, network)).toBeGreaterThan(eventsBefore);
  });

  it('managers across batches, one on a later line, a cycle, an existing user moved: the warnings and counts the real run gives', async () => {
    const network = await networkWithOld();
    const file = csv(
      'email/login,name,manager',
      'a@acme.example,A,',
      'b@acme.example,B,a@acme.example',
      'c@acme.example,C,b@acme.example',
      'd@acme.example,D,a@acme.example', // a later batch names a user an earlier one created (or would have)
      'e@acme.example,E,f@acme.example', // a manager on a later line
      'f@acme.example,F,e@acme.example', // e→f→e: e's link, made last, is left out
      'old@acme.example,,d@acme.example', // an existing user moved under a new one: counted once the link is made
      'g@acme.example,G,ghost@acme.example',
    );
    const dry = await importCsv(t, network, file, { mode: 'update', dryRun: 'true' });
    const eventsBefore = await userEventCount(t, network);
    const real = await importCsv(t, network, file, { mode: 'update' });
    expect(real.warnings).toEqual([
      'Line 6: manager f@acme.example would make a management cycle; imported without a manager.',
      'Line 9: manager ghost@acme.example is not a user of this network, and no line of this file created them (a rejected line, or one with Enabled FALSE, creates nobody); imported without a manager.',
    ]);
    expect(real.counts).toEqual({ rows: 8, created: 7, updated: 1, activated: 0, deactivated: 0, unchanged: 0, skipped: 0, rejected: 0 });
    expect(dry.counts).toEqual(real.counts);
    expect(dry.warnings).toEqual(real.warnings);
    expect(await userEventCount(t, network)).toBeGreaterThan(eventsBefore);
    const users = await usersOf(t, network);
    expect(users.get('old@acme.example')!.managerEmail).toBe('d@acme.example');
    expect(users.get('d@acme.example')!.managerEmail).toBe('a@acme.example');
    expect(users.get('f@acme.example')!.managerEmail).toBe('e@acme.example');
    expect(users.get('e@acme.example')!.managerId).toBeNull();
  });

  it('a dry run cannot be followed by invitations: 400', async () => {
    const network = await networkWithOld();
    const dry = await importCsv(t, network, FILE, { dryRun: 'true' });
    const res = await t.http.post(importsPath(network, `/${dry.id}/invitations`)).set(await t.authHeader([network]));
    expect(res.status).toBe(400);
  });
});

describe('invitations before the import has finished', () => {
  let queuedOnly: TestApp;
  beforeAll(async () => {
    queuedOnly = await startTestApp({ IMPORT_WORKER_ENABLED: 'false' });
  });
  afterAll(() => queuedOnly.close());

  it('a queued import: 409 saying it has not started yet, and nobody invited', async () => {
    const network = uniqueNetworkId('inv');
    const queued = await upload(queuedOnly, network, csv('email/login,name', 'a@acme.example,A'));
    expect(queued.body.status).toBe('queued');
    const res = await queuedOnly.http.post(importsPath(network, `/${queued.body.id}/invitations`)).set(await queuedOnly.authHeader([network]));
    expect(expectProblem(res, 409).detail).toBe('This import has not started yet: invite its users once it has finished (its report says when).');
  });
});
