/**
 * Row validation (e-mail, mobile, a name for new users, duplicates within the file) and managers (forward
 * references, existing users, unknown, self, cycles in the file and through existing users), through the API.
 * The app applies batches of 2 rows, so references also cross batch boundaries.
 */
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { createUserOverHttp, usersPath } from '../../support/users-api.js';
import { csv, errorsJson, exclusiveSum, historyOf, importCsv, usersOf, type ImportReportBody } from '../../support/imports.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ IMPORT_WORKER_ENABLED: 'true', IMPORT_BATCH_SIZE: '2' });
});
afterAll(() => t.close());

function expectSum(report: ImportReportBody) {
  expect(report.status).toBe('completed');
  expect(exclusiveSum(report.counts)).toBe(report.counts.rows);
}

describe('validation', () => {
  it('an invalid e-mail rejects the row naming the e-mail column; the valid rows import', async () => {
    const network = uniqueNetworkId('val');
    const report = await importCsv(t, network, csv('name,email/login', 'Ann,ann@acme.example', 'No At,no-at.acme.example', 'Two,a@b@acme.example', 'Blank,'));
    expectSum(report);
    expect(report.counts).toMatchObject({ rows: 4, created: 1, rejected: 3 });
    const errors = await errorsJson(t, network, report.id);
    expect(errors.map((e) => [e.line, e.field])).toEqual([
      [3, 'email'],
      [4, 'email'],
      [5, 'email'],
    ]);
    expect(errors[0].error).toMatch(/"no-at\.acme\.example" in column "email\/login" is not a valid e-mail address/);
    expect([...(await usersOf(t, network)).keys()]).toEqual(['ann@acme.example']);
  });

  it('an impossible mobile rejects the row naming the mobile column; the guide\'s (+91)1234123411 passes as E.164', async () => {
    const network = uniqueNetworkId('val');
    const report = await importCsv(t, network, csv('name,email/login,Mobile', 'Will,will@acme.example,(+91)1234123411', 'Short,short@acme.example,+91 12', 'Letters,letters@acme.example,+44 7911 CALLME'));
    expectSum(report);
    expect(report.counts).toMatchObject({ rows: 3, created: 1, rejected: 2 });
    const errors = await errorsJson(t, network, report.id);
    expect(errors.map((e) => [e.line, e.field])).toEqual([
      [3, 'mobile'],
      [4, 'mobile'],
    ]);
    expect(errors[0].error).toMatch(/line 3: "\+91 12" in column "Mobile" is not a valid mobile number/);
    expect((await usersOf(t, network)).get('will@acme.example')!.mobile).toBe('+911234123411');
  });

  it('a new user without a name (nor first/last name) is rejected; an existing one is updated without one', async () => {
    const network = uniqueNetworkId('val');
    await createUserOverHttp(t, network, { email: 'old@acme.example', name: 'Old Timer' });
    const report = await importCsv(t, network, csv('email/login,title', 'new@acme.example,CTO', 'old@acme.example,CFO'), { mode: 'update' });
    expectSum(report);
    expect(report.counts).toMatchObject({ rows: 2, updated: 1, rejected: 1 });
    expect(await errorsJson(t, network, report.id)).toEqual([expect.objectContaining({ line: 2, field: 'name', email: 'new@acme.example', error: expect.stringMatching(/name/) })]);
    const users = await usersOf(t, network);
    expect(users.has('new@acme.example')).toBe(false);
    expect(users.get('old@acme.example')).toMatchObject({ name: 'Old Timer', title: 'CFO' });
  });

  it('a name is composed from first and last name; the name column wins when both are given', async () => {
    const network = uniqueNetworkId('val');
    const report = await importCsv(t, network, csv('email/login,name,firstname,lastname', 'a@acme.example,,Ann,Lee', 'b@acme.example,,Bob,', 'c@acme.example,,,Cid', 'd@acme.example,Dee X,Dee,Fox'));
    expect(report.counts).toMatchObject({ rows: 4, created: 4 });
    const users = await usersOf(t, network);
    expect(['a', 'b', 'c', 'd'].map((k) => users.get(`${k}@acme.example`)!.name)).toEqual(['Ann Lee', 'Bob', 'Cid', 'Dee X']);
  });

  it('a second line with an e-mail already seen (in any case) is rejected as a duplicate of the first line', async () => {
    const network = uniqueNetworkId('val');
    const report = await importCsv(t, network, csv('email/login,name', 'ann@acme.example,First Ann', 'bob@acme.example,Bob', 'ANN@Acme.Example,Second Ann', 'ann@acme.example,Third Ann'));
    expectSum(report);
    expect(report.counts).toMatchObject({ rows: 4, created: 2, rejected: 2 });
    const errors = await errorsJson(t, network, report.id);
    expect(errors.map((e) => e.line)).toEqual([4, 5]);
    for (const e of errors) expect(e.error).toMatch(/already appears on line 2/);
    expect((await usersOf(t, network)).get('ann@acme.example')!.name).toBe('First Ann');
  });

  it('Enabled other than TRUE/FALSE/blank rejects the row naming the Enabled column', async () => {
    const network = uniqueNetworkId('val');
    const report = await importCsv(t, network, csv('email/login,name,Enabled', 'a@acme.example,A,yes', 'b@acme.example,B,  False '));
    expect(report.counts).toMatchObject({ rows: 2, skipped: 1, rejected: 1 });
    expect(await errorsJson(t, network, report.id)).toEqual([expect.objectContaining({ line: 2, field: 'enabled', error: expect.stringMatching(/"yes" in column "Enabled" must be TRUE, FALSE or left blank/) })]);
  });
});

describe('managers', () => {
  /** The managers the user's history gave them, in order: UserCreated's (when it names one), then each UserManagerAssigned's. */
  async function managerEvents(network: string, userId: string) {
    return (await historyOf(t, network, userId))
      .filter((e) => e.type === 'UserManagerAssigned' || (e.type === 'UserCreated' && e.data.managerId !== null))
      .map((e) => e.data.managerId);
  }

  it('a manager on a later line (forward reference, across batches) resolves', async () => {
    const network = uniqueNetworkId('mgr');
    const report = await importCsv(
      t,
      network,
      csv('email/login,name,manager', 'a@acme.example,A,d@acme.example', 'b@acme.example,B,', 'c@acme.example,C,', 'd@acme.example,D,BOSS@acme.example', 'boss@acme.example,Boss,'),
    );
    expect(report.counts).toMatchObject({ rows: 5, created: 5 });
    expect(report.warnings).toEqual([]);
    const users = await usersOf(t, network);
    expect(users.get('a@acme.example')).toMatchObject({ managerId: users.get('d@acme.example')!.id, managerEmail: 'd@acme.example' });
    expect(users.get('d@acme.example')).toMatchObject({ managerId: users.get('boss@acme.example')!.id, managerEmail: 'boss@acme.example' });
    expect(await managerEvents(network, users.get('a@acme.example')!.id)).toEqual([users.get('d@acme.example')!.id]);
  });

  it('a manager who is already a user of the network resolves (named in any case)', async () => {
    const network = uniqueNetworkId('mgr');
    const boss = await createUserOverHttp(t, network, { email: 'boss@acme.example', name: 'Boss' });
    const report = await importCsv(t, network, csv('email/login,name,manager', 'a@acme.example,A,Boss@ACME.example'));
    expect(report.warnings).toEqual([]);
    expect((await usersOf(t, network)).get('a@acme.example')).toMatchObject({ managerId: boss.id, managerEmail: 'boss@acme.example' });
  });

  it('an unknown manager is a warning on that row; the user is imported without a manager', async () => {
    const network = uniqueNetworkId('mgr');
    const report = await importCsv(t, network, csv('email/login,name,manager', 'a@acme.example,A,ghost@acme.example', 'b@acme.example,B,'));
    expect(report.counts).toMatchObject({ rows: 2, created: 2 });
    expect(report.warnings).toEqual([`Line 2: manager ghost@acme.example is not a user of this network, and no line of this file created them (a rejected line, or one with Enabled FALSE, creates nobody); imported without a manager.`]);
    const a = (await usersOf(t, network)).get('a@acme.example')!;
    expect(a).toMatchObject({ managerId: null, status: 'active' });
    expect(await managerEvents(network, a.id)).toEqual([]);
  });

  it('a manager cell that is no e-mail address (a name, as HR exports have) is a warning, never a lost line', async () => {
    const network = uniqueNetworkId('mgr');
    const boss = await createUserOverHttp(t, network, { email: 'boss@acme.example', name: 'Anna Boss' });
    await createUserOverHttp(t, network, { email: 'old@acme.example', name: 'Old', managerId: boss.id });
    const report = await importCsv(
      t,
      network,
      csv(
        'email/login,name,manager',
        'a@acme.example,A,Anna Boss',
        'b@acme.example,B,Anna Boss <boss@acme.example>',
        'old@acme.example,Old Timer,boss@',
        'c@acme.example,C,mailto:boss@acme.example',
        'd@acme.example,D,<boss@acme.example>',
      ),
      { mode: 'update' },
    );
    expect(report.counts).toMatchObject({ rows: 5, created: 4, updated: 1, rejected: 0 });
    expect(report.warnings).toEqual([
      'Line 2: manager "Anna Boss" is not an e-mail address; imported without a manager.',
      'Line 3: manager "Anna Boss <boss@acme.example>" is not an e-mail address; imported without a manager.',
      'Line 4: manager "boss@" is not an e-mail address; their manager is left as it was.',
      'Line 5: manager "mailto:boss@acme.example" is not an e-mail address; imported without a manager.',
      'Line 6: manager "<boss@acme.example>" is not an e-mail address; imported without a manager.',
    ]);
    const users = await usersOf(t, network);
    expect(users.get('a@acme.example')!.managerId).toBeNull();
    expect(users.get('b@acme.example')!.managerId).toBeNull();
    expect(users.get('old@acme.example')).toMatchObject({ name: 'Old Timer', managerId: boss.id });
  });

  it('a manager whose own line is not created (FALSE, rejected, duplicate) is unknown: warning, no manager', async () => {
    const network = uniqueNetworkId('mgr');
    const report = await importCsv(
      t,
      network,
      csv('email/login,name,manager,Enabled', 'a@acme.example,A,off@acme.example,', 'b@acme.example,B,noname@acme.example,', 'off@acme.example,Off,,FALSE', 'noname@acme.example,,,'),
    );
    expect(report.counts).toMatchObject({ rows: 4, created: 2, skipped: 1, rejected: 1 });
    expect(report.warnings).toEqual([`Line 2: manager off@acme.example is not a user of this network, and no line of this file created them (a rejected line, or one with Enabled FALSE, creates nobody); imported without a manager.`, `Line 3: manager noname@acme.example is not a user of this network, and no line of this file created them (a rejected line, or one with Enabled FALSE, creates nobody); imported without a manager.`]);
    const users = await usersOf(t, network);
    expect(users.get('a@acme.example')!.managerId).toBeNull();
    expect(users.get('b@acme.example')!.managerId).toBeNull();
  });

  it('a user named as their own manager: warning; a new user has no manager, an existing one keeps theirs', async () => {
    const network = uniqueNetworkId('mgr');
    const boss = await createUserOverHttp(t, network, { email: 'boss@acme.example', name: 'Boss' });
    await createUserOverHttp(t, network, { email: 'old@acme.example', name: 'Old', managerId: boss.id });
    const report = await importCsv(t, network, csv('email/login,name,manager', 'a@acme.example,A,A@acme.example', 'old@acme.example,,old@acme.example'), { mode: 'update' });
    expect(report.counts).toMatchObject({ rows: 2, created: 1, unchanged: 1 });
    expect(report.warnings).toEqual([
      'Line 2: a user cannot be their own manager; imported without a manager.',
      'Line 3: a user cannot be their own manager; their manager is left as it was.',
    ]);
    const users = await usersOf(t, network);
    expect(users.get('a@acme.example')!.managerId).toBeNull();
    expect(users.get('old@acme.example')!.managerId).toBe(users.get('boss@acme.example')!.id);
  });

  it('over 1,000 warnings: the first 1,000 word for word, then how many more, and warningCount counts them all', async () => {
    const network = uniqueNetworkId('mgr');
    const lines = Array.from({ length: 2_005 }, (_, i) => `u${i}@acme.example,U${i},ghost${i}@acme.example`);
    const report = await importCsv(t, network, csv('email/login,name,manager', ...lines));
    expect(report.counts).toMatchObject({ rows: 2_005, created: 2_005 });
    expect(report.warnings).toHaveLength(1_001);
    expect(report.warnings[0]).toMatch(/^Line 2: manager ghost0@acme\.example/);
    expect(report.warnings[999]).toMatch(/^Line 1001: manager ghost999@acme\.example/);
    expect(report.warnings[1_000]).toBe('… and 1,005 more warnings.');
    expect(report.warningCount).toBe(2_005);
  });

  it('a cycle within the file (A→B on a later line, B→A): the link made last, the forward one, is left out with a warning', async () => {
    const network = uniqueNetworkId('mgr');
    const report = await importCsv(t, network, csv('email/login,name,manager', 'a@acme.example,A,b@acme.example', 'b@acme.example,B,a@acme.example'));
    expect(report.counts).toMatchObject({ rows: 2, created: 2 });
    expect(report.warnings).toEqual(['Line 2: manager b@acme.example would make a management cycle; imported without a manager.']);
    const users = await usersOf(t, network);
    expect(users.get('a@acme.example')).toMatchObject({ managerId: null });
    expect(users.get('b@acme.example')).toMatchObject({ managerEmail: 'a@acme.example' });
  });

  it('a longer cycle (A→B→C→A) and a tail into it: one warning, on the link that closes it, every other link kept', async () => {
    const network = uniqueNetworkId('mgr');
    const report = await importCsv(
      t,
      network,
      csv('email/login,name,manager', 'a@acme.example,A,b@acme.example', 'c@acme.example,C,a@acme.example', 'b@acme.example,B,c@acme.example', 't@acme.example,T,a@acme.example'),
    );
    // C→A, B→C and T→A name earlier lines and are made as they are read; A→B waits for B's line and would close the loop.
    expect(report.warnings).toEqual(['Line 2: manager b@acme.example would make a management cycle; imported without a manager.']);
    const users = await usersOf(t, network);
    expect(users.get('a@acme.example')!.managerEmail).toBeNull();
    expect(users.get('c@acme.example')!.managerEmail).toBe('a@acme.example');
    expect(users.get('b@acme.example')!.managerEmail).toBe('c@acme.example');
    expect(users.get('t@acme.example')!.managerEmail).toBe('a@acme.example');
  });

  it('a cycle through existing users (X manages Y already; the file makes Y manage X): warning, existing link kept', async () => {
    const network = uniqueNetworkId('mgr');
    const x = await createUserOverHttp(t, network, { email: 'x@acme.example', name: 'X' });
    const y = await createUserOverHttp(t, network, { email: 'y@acme.example', name: 'Y', managerId: x.id });
    const before = await historyOf(t, network, x.id);
    const report = await importCsv(t, network, csv('email/login,name,manager', 'x@acme.example,,y@acme.example'), { mode: 'update' });
    expect(report.counts).toMatchObject({ rows: 1, unchanged: 1 });
    expect(report.warnings).toEqual(['Line 2: manager y@acme.example would make a management cycle; their manager is left as it was.']);
    const users = await usersOf(t, network);
    expect(users.get('x@acme.example')!.managerId).toBeNull();
    expect(users.get('y@acme.example')!.managerId).toBe(x.id);
    expect(await historyOf(t, network, x.id)).toEqual(before);
    void y;
  });

  it('a cycle through an existing user and a new one (X→Y existing; file: Y→N new, N→X): Y→N waits and would close it', async () => {
    const network = uniqueNetworkId('mgr');
    const x = await createUserOverHttp(t, network, { email: 'x@acme.example', name: 'X' });
    await createUserOverHttp(t, network, { email: 'y@acme.example', name: 'Y' });
    await t.http.patch(usersPath(network, `/${x.id}`)).set(await t.authHeader([network])).send({ managerEmail: 'y@acme.example' }).expect(200);
    const report = await importCsv(t, network, csv('email/login,name,manager', 'y@acme.example,,n@acme.example', 'n@acme.example,N,x@acme.example'), { mode: 'update' });
    expect(report.warnings).toEqual(['Line 2: manager n@acme.example would make a management cycle; their manager is left as it was.']);
    // Y's line changed nothing in the end; N is new.
    expect(report.counts).toMatchObject({ rows: 2, created: 1, unchanged: 1, updated: 0 });
    const users = await usersOf(t, network);
    expect(users.get('x@acme.example')!.managerEmail).toBe('y@acme.example');
    expect(users.get('y@acme.example')!.managerId).toBeNull();
    expect(users.get('n@acme.example')!.managerEmail).toBe('x@acme.example');
  });

  it('changing a manager in update mode, and a blank manager cell leaves the manager alone', async () => {
    const network = uniqueNetworkId('mgr');
    const m1 = await createUserOverHttp(t, network, { email: 'm1@acme.example', name: 'M1' });
    const m2 = await createUserOverHttp(t, network, { email: 'm2@acme.example', name: 'M2' });
    await createUserOverHttp(t, network, { email: 'u@acme.example', name: 'U', managerId: m1.id });
    let report = await importCsv(t, network, csv('email/login,manager', 'u@acme.example,'), { mode: 'update' });
    expect(report.counts).toMatchObject({ unchanged: 1 });
    expect((await usersOf(t, network)).get('u@acme.example')!.managerId).toBe(m1.id);
    report = await importCsv(t, network, csv('email/login,manager', 'u@acme.example,m2@acme.example'), { mode: 'update' });
    expect(report.counts).toMatchObject({ updated: 1 });
    expect((await usersOf(t, network)).get('u@acme.example')!.managerId).toBe(m2.id);
  });
});
