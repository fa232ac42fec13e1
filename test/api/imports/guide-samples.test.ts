/**
 * The admin guide's two CSV samples, byte for byte as the guide prints them, through the real API and worker:
 * the typographic one (“ ” ″ quotes, a space before “TRUE”) gives exactly what its straight-quoted version gives.
 */
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { exclusiveSum, fixture, historyOf, importCsv, usersOf, type UserBody } from '../../support/imports.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ IMPORT_WORKER_ENABLED: 'true' });
});
afterAll(() => t.close());

/** What an admin sees of a user, without what differs from network to network (ids, times). */
const comparable = (u: UserBody) => ({
  email: u.email,
  name: u.name,
  firstName: u.firstName,
  lastName: u.lastName,
  title: u.title,
  mobile: u.mobile,
  managerEmail: u.managerEmail,
  status: u.status,
  invitation: u.invitation,
  version: u.version,
});

async function importFixture(name: string) {
  const network = uniqueNetworkId('guide');
  const report = await importCsv(t, network, fixture(name), {}, name);
  const users = [...(await usersOf(t, network)).values()].map(comparable);
  return { network, report, users };
}

describe("the guide's samples, verbatim", () => {
  it('first sample (straight quotes, blank title): Will Smith created active, mobile +911234123411, title empty', async () => {
    const { report, users, network } = await importFixture('guide-sample-straight.csv');
    expect(report.status).toBe('completed');
    expect(report.counts).toEqual({ rows: 1, created: 1, updated: 0, activated: 0, deactivated: 0, unchanged: 0, skipped: 0, rejected: 0 });
    expect(report.warnings).toEqual([]);
    expect(users).toEqual([
      { email: 'willsmith@gmail.com', name: 'Will Smith', firstName: 'Will', lastName: 'Smith', title: null, mobile: '+911234123411', managerEmail: null, status: 'active', invitation: 'none', version: 1 },
    ]);
    const [will] = (await usersOf(t, network)).values();
    expect((await historyOf(t, network, will.id)).map((e) => [e.type, e.importId])).toEqual([['UserCreated', report.id]]);
  });

  it('second sample (“ ” ″ quotes, `, “TRUE”`) imports exactly as its straightened version', async () => {
    const typographic = await importFixture('guide-sample-typographic.csv');
    const straightened = await importFixture('guide-sample-typographic-straightened.csv');

    // Will Smith is created (TRUE); Johnny Depp is not (FALSE never creates a user), so Will's manager is unknown.
    const expectedCounts = { rows: 2, created: 1, updated: 0, activated: 0, deactivated: 0, unchanged: 0, skipped: 1, rejected: 0 };
    for (const run of [typographic, straightened]) {
      expect(run.report.status).toBe('completed');
      expect(run.report.counts).toEqual(expectedCounts);
      expect(exclusiveSum(run.report.counts)).toBe(run.report.counts.rows);
      expect(run.report.warnings).toEqual([expect.stringMatching(/^Line 2: manager johnny_depp@yahoo\.com .*imported without a manager/)]);
      expect(run.users).toEqual([
        { email: 'willsmith@gmail.com', name: 'Will Smith', firstName: 'Will', lastName: 'Smith', title: 'Director', mobile: '+911234123411', managerEmail: null, status: 'active', invitation: 'none', version: 1 },
      ]);
    }
    expect(typographic.users).toEqual(straightened.users);
    expect(typographic.report.warnings).toEqual(straightened.report.warnings);
  });

  it('second sample in update mode, Johnny already a user: Will gets Johnny as manager, Johnny is deactivated, the same either way', async () => {
    const results = [];
    for (const name of ['guide-sample-typographic.csv', 'guide-sample-typographic-straightened.csv']) {
      const network = uniqueNetworkId('guide');
      await importCsv(t, network, 'email/login,name\njohnny_depp@yahoo.com,Johnny\n');
      const report = await importCsv(t, network, fixture(name), { mode: 'update' }, name);
      const users = [...(await usersOf(t, network)).values()].map(comparable);
      results.push({ report, users });
      expect(report.counts).toEqual({ rows: 2, created: 1, updated: 1, activated: 0, deactivated: 1, unchanged: 0, skipped: 0, rejected: 0 });
      // ashton@yahoo.com is nobody: Johnny's own manager is a warning.
      expect(report.warnings).toEqual([expect.stringMatching(/^Line 3: manager ashton@yahoo\.com/)]);
      expect(users).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ email: 'willsmith@gmail.com', managerEmail: 'johnny_depp@yahoo.com', status: 'active', mobile: '+911234123411' }),
          expect.objectContaining({ email: 'johnny_depp@yahoo.com', name: 'JohnnyDepp', title: 'Manager', mobile: '+911234123411', status: 'deactivated' }),
        ]),
      );
    }
    expect(results[0].users).toEqual(results[1].users);
    expect(results[0].report.counts).toEqual(results[1].report.counts);
  });
});
