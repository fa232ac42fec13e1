/**
 * The guide's modes table through the API, one test per row, plus what update mode promises: it patches (a blank
 * cell or a missing column leaves the field), keeps the user's id and history, appends nothing for a row that
 * changes nothing, so a second import of the same file changes nothing; and a file of just e-mail and Enabled is
 * a bulk (de)activation. Every data line is counted in exactly one of created/updated/unchanged/skipped/rejected.
 */
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { createUserOverHttp, usersPath } from '../../support/users-api.js';
import { ENABLED_IGNORED_IN_SKIP_MODE, NAME_LEFT_AS_IT_WAS } from '../../../src/modules/imports/domain/import-warnings.js';
import { csv, exclusiveSum, historyOf, importCsv, userEventCount, usersOf, type ImportReportBody } from '../../support/imports.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ IMPORT_WORKER_ENABLED: 'true' });
});
afterAll(() => t.close());

const HEADER = 'email/login,name,firstname,lastname,title,mobile,Enabled';

function expectCounts(report: ImportReportBody, counts: Partial<ImportReportBody['counts']>) {
  expect(report.status).toBe('completed');
  expect(report.counts).toEqual({ rows: 0, created: 0, updated: 0, activated: 0, deactivated: 0, unchanged: 0, skipped: 0, rejected: 0, ...counts });
  expect(exclusiveSum(report.counts)).toBe(report.counts.rows);
}

/** A network with one existing user (Ann, Engineer, +44 7911 123456), optionally deactivated. */
async function networkWithAnn(status: 'active' | 'deactivated' = 'active') {
  const network = uniqueNetworkId('modes');
  const ann = await createUserOverHttp(t, network, { email: 'ann@acme.example', name: 'Ann Lee', firstName: 'Ann', lastName: 'Lee', title: 'Engineer', mobile: '+44 7911 123456' });
  if (status === 'deactivated') {
    const res = await t.http.post(usersPath(network, `/${ann.id}/deactivate`)).set(await t.authHeader([network]));
    expect(res.status).toBe(200);
  }
  const before = await userEventCount(t, network);
  const history = await historyOf(t, network, ann.id);
  return { network, ann, before, history };
}

async function annOf(network: string) {
  return (await usersOf(t, network)).get('ann@acme.example')!;
}

describe('a user who does not exist', () => {
  it.each([
    ['skip', 'TRUE'],
    ['skip', ''],
    ['update', 'TRUE'],
    ['update', ''],
    ['skip', 'true'],
  ])('mode %s, Enabled "%s": created, active', async (mode, enabled) => {
    const network = uniqueNetworkId('modes');
    const report = await importCsv(t, network, csv(HEADER, `bob@acme.example,Bob Ray,,,,,${enabled}`), { mode });
    expectCounts(report, { rows: 1, created: 1 });
    const bob = (await usersOf(t, network)).get('bob@acme.example');
    expect(bob).toMatchObject({ name: 'Bob Ray', status: 'active', version: 1 });
    expect((await historyOf(t, network, bob!.id)).map((e) => e.type)).toEqual(['UserCreated']);
  });

  it.each(['skip', 'update'])('mode %s, Enabled FALSE: skipped, not created, no event', async (mode) => {
    const network = uniqueNetworkId('modes');
    const report = await importCsv(t, network, csv(HEADER, 'bob@acme.example,Bob Ray,,,,,FALSE'), { mode });
    expectCounts(report, { rows: 1, skipped: 1 });
    expect((await usersOf(t, network)).size).toBe(0);
    expect(await userEventCount(t, network)).toBe(0);
  });
});

describe('a user who exists, mode skip', () => {
  it.each(['TRUE', 'FALSE', ''])('Enabled "%s": skipped, nothing about the user changes, no event', async (enabled) => {
    const { network, ann, before, history } = await networkWithAnn(enabled === 'TRUE' ? 'deactivated' : 'active');
    const report = await importCsv(t, network, csv(HEADER, `ann@acme.example,Ann Other,,,CTO,+91 12341 23411,${enabled}`), { mode: 'skip' });
    expectCounts(report, { rows: 1, skipped: 1 });
    const after = await annOf(network);
    expect(after).toMatchObject({ id: ann.id, name: 'Ann Lee', title: 'Engineer', mobile: '+447911123456', version: history.length });
    expect(await userEventCount(t, network)).toBe(before);
  });
});

describe('a user who exists, mode update', () => {
  it('Enabled TRUE: fields updated and activated (was deactivated); same id, history kept', async () => {
    const { network, ann, history } = await networkWithAnn('deactivated');
    const report = await importCsv(t, network, csv(HEADER, 'ANN@acme.example,,,,CTO,,TRUE'), { mode: 'update' });
    expectCounts(report, { rows: 1, updated: 1, activated: 1 });
    expect(await annOf(network)).toMatchObject({ id: ann.id, name: 'Ann Lee', title: 'CTO', mobile: '+447911123456', status: 'active', email: 'ann@acme.example' });
    const after = await historyOf(t, network, ann.id);
    expect(after.slice(0, history.length)).toEqual(history);
    expect(after.slice(history.length).map((e) => [e.type, e.importId])).toEqual([
      ['UserProfileUpdated', report.id],
      ['UserActivated', report.id],
    ]);
    expect(after[history.length].data.changes).toEqual({ title: 'CTO' });
  });

  it('Enabled TRUE on an active user: updated, not counted as activated', async () => {
    const { network } = await networkWithAnn('active');
    const report = await importCsv(t, network, csv(HEADER, 'ann@acme.example,,,,CTO,,TRUE'), { mode: 'update' });
    expectCounts(report, { rows: 1, updated: 1 });
  });

  it('Enabled FALSE: fields updated and deactivated', async () => {
    const { network, ann, history } = await networkWithAnn('active');
    const report = await importCsv(t, network, csv(HEADER, 'ann@acme.example,,,,CTO,,FALSE'), { mode: 'update' });
    expectCounts(report, { rows: 1, updated: 1, deactivated: 1 });
    expect(await annOf(network)).toMatchObject({ id: ann.id, title: 'CTO', status: 'deactivated' });
    expect((await historyOf(t, network, ann.id)).slice(history.length).map((e) => e.type)).toEqual(['UserProfileUpdated', 'UserDeactivated']);
  });

  it.each(['active', 'deactivated'] as const)('Enabled blank (%s user): fields updated, state untouched', async (status) => {
    const { network, ann, history } = await networkWithAnn(status);
    const report = await importCsv(t, network, csv(HEADER, 'ann@acme.example,,,,CTO,,'), { mode: 'update' });
    expectCounts(report, { rows: 1, updated: 1 });
    expect(await annOf(network)).toMatchObject({ id: ann.id, title: 'CTO', status });
    expect((await historyOf(t, network, ann.id)).slice(history.length).map((e) => e.type)).toEqual(['UserProfileUpdated']);
  });

  it('patches: blank cells and missing columns leave fields as they are', async () => {
    const { network, ann } = await networkWithAnn('active');
    // No title, mobile or Enabled column; blank first name.
    const report = await importCsv(t, network, csv('email/login,firstname,lastname', 'ann@acme.example,,Lee-Smith'), { mode: 'update' });
    expectCounts(report, { rows: 1, updated: 1 });
    expect(await annOf(network)).toMatchObject({
      id: ann.id,
      name: 'Ann Lee',
      firstName: 'Ann',
      lastName: 'Lee-Smith',
      title: 'Engineer',
      mobile: '+447911123456',
      status: 'active',
    });
    // Ann's name was her first and last name: the report says it stayed as it was, and how to change it too.
    expect(report.warnings).toEqual([NAME_LEFT_AS_IT_WAS]);
  });

  it('a name chosen apart from the first and last name, or changed with them, gives no warning about names', async () => {
    const { network } = await networkWithAnn('active');
    await createUserOverHttp(t, network, { email: 'rob@acme.example', name: 'Bob', firstName: 'Robert', lastName: 'Smith' });
    const report = await importCsv(t, network, csv('email/login,name,firstname', 'rob@acme.example,,Rob', 'ann@acme.example,Annie Lee,Annie'), { mode: 'update' });
    expectCounts(report, { rows: 2, updated: 2 });
    expect(report.warnings).toEqual([]);
    const users = await usersOf(t, network);
    expect([users.get('rob@acme.example')!.name, users.get('ann@acme.example')!.name]).toEqual(['Bob', 'Annie Lee']);
  });

  it('a row that changes nothing is unchanged and appends no event (mobile written differently, e-mail in capitals)', async () => {
    const { network, before } = await networkWithAnn('active');
    const report = await importCsv(t, network, csv(HEADER, 'Ann@ACME.example,Ann Lee,Ann,Lee,Engineer,(+44) 7911-123-456,TRUE'), { mode: 'update' });
    expectCounts(report, { rows: 1, unchanged: 1 });
    expect(await userEventCount(t, network)).toBe(before);
  });
});

describe('re-importing and bulk (de)activation', () => {
  const file = csv(
    'name,firstname,lastname,email/login,title,mobile,manager,Enabled',
    'Will Smith,Will,Smith,will@acme.example,Director,(+91)1234123411,boss@acme.example,TRUE',
    'Boss Lady,Boss,Lady,boss@acme.example,CEO,,,',
    ',Dee,Fox,dee@acme.example,,,boss@acme.example,',
    'Off User,,,off@acme.example,,,,FALSE',
    'Bad Mobile,,,bad@acme.example,,12,,TRUE',
  );

  it.each(['skip', 'update'])('mode %s: the same file a second time changes nothing: zero new events', async (mode) => {
    const network = uniqueNetworkId('again');
    const first = await importCsv(t, network, file, { mode });
    expectCounts(first, { rows: 5, created: 3, skipped: 1, rejected: 1 });
    const eventsAfterFirst = await userEventCount(t, network);
    const usersAfterFirst = await usersOf(t, network);
    expect(usersAfterFirst.get('will@acme.example')).toMatchObject({ managerEmail: 'boss@acme.example', mobile: '+911234123411' });
    expect(usersAfterFirst.get('dee@acme.example')).toMatchObject({ name: 'Dee Fox', managerEmail: 'boss@acme.example' });

    const second = await importCsv(t, network, file, { mode });
    // FALSE still never creates off@, and the bad mobile is still rejected.
    expectCounts(second, mode === 'skip' ? { rows: 5, skipped: 4, rejected: 1 } : { rows: 5, unchanged: 3, skipped: 1, rejected: 1 });
    expect(await userEventCount(t, network)).toBe(eventsAfterFirst);
    expect(await usersOf(t, network)).toEqual(usersAfterFirst);
  });

  it('a file of just email/login,Enabled deactivates and activates in bulk, leaving every other field', async () => {
    const network = uniqueNetworkId('bulk');
    await importCsv(t, network, csv('email/login,name,title', 'a@acme.example,A,T1', 'b@acme.example,B,T2', 'c@acme.example,C,T3', 'd@acme.example,D,T4'));
    const before = await usersOf(t, network);

    const off = await importCsv(t, network, csv('email/login,Enabled', 'a@acme.example,FALSE', 'b@acme.example,FALSE', 'c@acme.example,', 'new@acme.example,FALSE'), { mode: 'update' });
    expectCounts(off, { rows: 4, updated: 2, deactivated: 2, unchanged: 1, skipped: 1 });
    let users = await usersOf(t, network);
    expect([...users.values()].map((u) => [u.email, u.status, u.title, u.name, u.id])).toEqual(
      [...before.values()].map((u) => [u.email, ['a@acme.example', 'b@acme.example'].includes(u.email) ? 'deactivated' : 'active', u.title, u.name, u.id]),
    );

    const on = await importCsv(t, network, csv('email/login,Enabled', 'a@acme.example,TRUE', 'b@acme.example,true', 'd@acme.example,TRUE'), { mode: 'update' });
    expectCounts(on, { rows: 3, updated: 2, activated: 2, unchanged: 1 });
    users = await usersOf(t, network);
    expect([...users.values()].every((u) => u.status === 'active')).toBe(true);
    expect(users.get('a@acme.example')!.version).toBe(3);
    expect([off.warnings, on.warnings]).toEqual([[], []]);
  });

  it('the same file in skip mode changes nobody, and the report says to choose update mode', async () => {
    const network = uniqueNetworkId('bulk');
    await importCsv(t, network, csv('email/login,name', 'a@acme.example,A', 'b@acme.example,B'));
    const before = await usersOf(t, network);
    const eventsBefore = await userEventCount(t, network);

    const off = await importCsv(t, network, csv('email/login,Enabled', 'a@acme.example,FALSE', 'b@acme.example,FALSE'));
    expectCounts(off, { rows: 2, skipped: 2 });
    expect(off.mode).toBe('skip');
    expect(off.warnings).toEqual([ENABLED_IGNORED_IN_SKIP_MODE]);
    expect(await usersOf(t, network)).toEqual(before);
    expect(await userEventCount(t, network)).toBe(eventsBefore);

    // Enabled as the users are (or blank), FALSE on a new line, or no Enabled column: skipped or not, no warning.
    const asTheyAre = await importCsv(t, network, csv('email/login,name,Enabled', 'a@acme.example,A,TRUE', 'b@acme.example,B,', 'new@acme.example,New,FALSE'));
    expectCounts(asTheyAre, { rows: 3, skipped: 3 });
    const noEnabled = await importCsv(t, network, csv('email/login,name', 'a@acme.example,Another Name'));
    expect([asTheyAre.warnings, noEnabled.warnings]).toEqual([[], []]);
  });

  it('every data line is counted once: a mixed file in update mode', async () => {
    const { network } = await networkWithAnn('deactivated');
    await createUserOverHttp(t, network, { email: 'same@acme.example', name: 'Same' });
    const report = await importCsv(
      t,
      network,
      csv(
        HEADER,
        'ann@acme.example,,,,CTO,,TRUE', // updated + activated
        'same@acme.example,Same,,,,,', // unchanged
        'new@acme.example,New One,,,,,', // created
        'off@acme.example,Off,,,,,FALSE', // skipped
        'bad,Bad,,,,,', // rejected (e-mail)
        'new@acme.example,Again,,,,,', // rejected (duplicate)
        'noname@acme.example,,,,,,TRUE', // rejected (no name for a new user)
        'x@acme.example,X,,,,,maybe', // rejected (Enabled)
      ),
      { mode: 'update' },
    );
    expectCounts(report, { rows: 8, updated: 1, activated: 1, unchanged: 1, created: 1, skipped: 1, rejected: 4 });
  });
});
