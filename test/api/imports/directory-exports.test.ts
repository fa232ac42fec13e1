/**
 * Files exported from the directories admins keep their people in (Google Workspace, Microsoft Entra ID, Okta),
 * uploaded as they are: what the admin sees in the report, the users and the error list; and the file that needs
 * a heading renamed, refused saying which.
 */
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { createUserOverHttp, expectProblem } from '../../support/users-api.js';
import { csv, errorsJson, exclusiveSum, fixture, importCsv, importsPath, upload, usersOf } from '../../support/imports.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ IMPORT_WORKER_ENABLED: 'true' });
});
afterAll(() => t.close());

describe('directory exports', () => {
  it("Google Workspace's \"Download users\": headings read through their [Required] notes, managers linked, a suspended account never created, the other 30 columns named in one warning", async () => {
    const network = uniqueNetworkId('dir');
    const report = await importCsv(t, network, fixture('google-workspace-export.csv'));
    expect(report.counts).toMatchObject({ rows: 3, created: 2, rejected: 0, skipped: 1 });
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toMatch(/^Unknown columns "Password \[Required\]", "Password Hash Function \[UPLOAD ONLY\]", .* and "Advanced Protection Program enrollment" were ignored$/);
    expect(report.warnings[0]).not.toContain('"Status [READ ONLY]"');
    const users = await usersOf(t, network);
    const ann = users.get('ann.lee@acme.example')!;
    expect(ann).toMatchObject({ name: 'Ann Lee', firstName: 'Ann', lastName: 'Lee', title: 'Director', mobile: '+447911123456', managerId: null, status: 'active' });
    const bob = users.get('bob.ray@acme.example')!;
    expect(bob).toMatchObject({ name: 'Bob Ray', title: 'Engineer', mobile: null, managerId: ann.id, managerEmail: 'ann.lee@acme.example' });
    // "Status [READ ONLY]" is the Enabled column: Suspended, like FALSE, never creates a user.
    expect(users.has('cy.dee@acme.example')).toBe(false);
    expect(users.size).toBe(2);
  });

  it('Google Workspace: with "Update existing users", a suspended account is deactivated and an active one activated', async () => {
    const network = uniqueNetworkId('dir');
    const auth = await t.authHeader([network]);
    const cy = await createUserOverHttp(t, network, { email: 'cy.dee@acme.example', name: 'Cy Dee' });
    const ann = await createUserOverHttp(t, network, { email: 'ann.lee@acme.example', name: 'Ann Lee' });
    await t.http.post(`/api/v1/networks/${network}/users/${ann.id}/deactivate`).set(auth).expect(200);
    const report = await importCsv(t, network, fixture('google-workspace-export.csv'), { mode: 'update' });
    expect(report.counts).toMatchObject({ rows: 3, created: 1, updated: 2, activated: 1, deactivated: 1, rejected: 0 });
    const users = await usersOf(t, network);
    expect(users.get('cy.dee@acme.example')).toMatchObject({ id: cy.id, status: 'deactivated' });
    expect(users.get('ann.lee@acme.example')).toMatchObject({ id: ann.id, status: 'active' });
  });

  it('Google Workspace: a status other than Active or Suspended rejects its line naming the column; an Enabled column outranks the status', async () => {
    const network = uniqueNetworkId('dir');
    const report = await importCsv(t, network, csv('Email Address [Required],First Name [Required],Status [READ ONLY]', 'ann@acme.example,Ann,Archived', 'bob@acme.example,Bob,active'));
    expect(report.counts).toMatchObject({ rows: 2, created: 1, rejected: 1 });
    expect((await errorsJson(t, network, report.id))[0]).toMatchObject({ line: 2, field: 'enabled', error: expect.stringMatching(/"Status \[READ ONLY\]".*must be Active, Suspended or left blank/) });

    const both = await importCsv(t, uniqueNetworkId('dir'), csv('email,name,Status [READ ONLY],Enabled', 'cid@acme.example,Cid,Suspended,TRUE'));
    expect(both.counts).toMatchObject({ rows: 1, created: 1 });
    expect(both.warnings).toEqual(['Column "Status [READ ONLY]" was ignored: "Enabled" holds the Enabled flag']);
  });

  it("Microsoft Entra ID's \"Download users\": the address from mail, never userPrincipalName; accountEnabled False creates nobody; a user without a mailbox is rejected naming mail", async () => {
    const network = uniqueNetworkId('dir');
    const report = await importCsv(t, network, fixture('entra-id-export.csv'));
    expect(report.counts).toMatchObject({ rows: 5, created: 3, skipped: 1, rejected: 1 });
    expect(exclusiveSum(report.counts)).toBe(5);
    expect(report.warnings).toEqual([expect.stringMatching(/^Unknown columns "userPrincipalName", "objectId", "userType", .* were ignored$/)]);
    const users = await usersOf(t, network);
    expect([...users.keys()].sort()).toEqual(['ann.lee@contoso.example', 'bob.ray@contoso.example', 'dee@partner.example']);
    expect(users.get('ann.lee@contoso.example')).toMatchObject({ name: 'Ann Lee', firstName: 'Ann', lastName: 'Lee', title: 'Director', mobile: '+447911123456', status: 'active' });
    expect(users.get('bob.ray@contoso.example')).toMatchObject({ name: 'Bob Ray', title: 'Engineer' });
    expect(users.get('dee@partner.example')).toMatchObject({ name: 'Dee Fox', status: 'active' });
    const errors = await errorsJson(t, network, report.id);
    expect(errors).toEqual([expect.objectContaining({ line: 6, field: 'email', error: 'line 6: the e-mail address (column "mail") is empty' })]);
  });

  it('Entra ID in update mode: accountEnabled False deactivates the user who exists, and True leaves the others active', async () => {
    const network = uniqueNetworkId('dir');
    await createUserOverHttp(t, network, { email: 'cy.dee@contoso.example', name: 'Cy Dee' });
    await createUserOverHttp(t, network, { email: 'ann.lee@contoso.example', name: 'Ann Lee' });
    const report = await importCsv(t, network, fixture('entra-id-export.csv'), { mode: 'update' });
    expect(report.counts).toMatchObject({ rows: 5, created: 2, updated: 2, deactivated: 1, activated: 0, rejected: 1 });
    const users = await usersOf(t, network);
    expect(users.get('cy.dee@contoso.example')).toMatchObject({ status: 'deactivated', title: 'Analyst' });
    expect(users.get('ann.lee@contoso.example')).toMatchObject({ status: 'active', title: 'Director' });
  });

  it("Okta's user CSV: email wins over login (a user name here) with a warning; manager holds names, so each such line says it was imported without one", async () => {
    const network = uniqueNetworkId('dir');
    const report = await importCsv(t, network, fixture('okta-export.csv'));
    expect(report.counts).toMatchObject({ rows: 3, created: 3, rejected: 0 });
    expect(report.warnings).toEqual([
      expect.stringMatching(/^Unknown columns "middleName", .*"secondEmail", .* and "managerId" were ignored$/),
      'Column "login" was ignored: "email" holds the e-mail address',
      'Line 3: manager "Ann Lee" is not an e-mail address; imported without a manager.',
      'Line 4: manager "Ann Lee" is not an e-mail address; imported without a manager.',
    ]);
    const users = await usersOf(t, network);
    expect([...users.keys()].sort()).toEqual(['ann.lee@acme.example', 'bob.ray@acme.example', 'cy.dee@acme.example']);
    expect(users.get('ann.lee@acme.example')).toMatchObject({ name: 'Ann Lee', firstName: 'Ann', lastName: 'Lee', title: 'Director', mobile: '+14155550100' });
    expect(users.get('bob.ray@acme.example')).toMatchObject({ name: 'Bob Ray', title: 'Engineer', managerId: null });
  });

  it('Entra ID without its mail column: 422 naming userPrincipalName as the column to rename; renamed, it imports', async () => {
    const network = uniqueNetworkId('dir');
    const problem = expectProblem(await upload(t, network, fixture('entra-id-upn-only.csv')), 422);
    expect(problem).toMatchObject({
      reason: 'missing-email-column',
      line: 1,
      detail:
        'The file has no e-mail column: one heading must be "email/login" (or "email", "login", "e-mail"). Columns found: "userPrincipalName", ' +
        '"displayName", "givenName", "surname", "jobTitle", "accountEnabled". Column "userPrincipalName" holds e-mail addresses: if they are the ' +
        'users\' addresses, rename its heading to "email/login".',
    });
    const listed = await t.http.get(importsPath(network)).set(await t.authHeader([network]));
    expect(listed.body.items).toEqual([]);

    const renamed = fixture('entra-id-upn-only.csv').toString('utf8').replace('userPrincipalName', 'email/login');
    const report = await importCsv(t, network, renamed);
    expect(report.counts).toMatchObject({ rows: 2, created: 2 });
    expect([...(await usersOf(t, network)).keys()].sort()).toEqual(['ann.lee@contoso.example', 'bob@contoso.onmicrosoft.com']);
  });
});
