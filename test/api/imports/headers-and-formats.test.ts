/**
 * Headers (aliases, case and blanks, order from the header, unknown columns, a missing or duplicated e-mail
 * column) and the shapes of files people upload (BOM, UTF-16, Windows-1252, `;` and tab, wrong field counts,
 * unclosed quotes, an over-long line), all through the API: what the admin sees in the report, the users and
 * the error list.
 */
import { NO_USERS_IN_FILE } from '../../../src/modules/imports/domain/import-warnings.js';
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { createUserOverHttp, expectProblem } from '../../support/users-api.js';
import { csv, errorsJson, exclusiveSum, fixture, importCsv, importsPath, upload, usersOf } from '../../support/imports.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ IMPORT_WORKER_ENABLED: 'true' });
});
afterAll(() => t.close());

async function importsOf(network: string) {
  const res = await t.http.get(importsPath(network)).set(await t.authHeader([network]));
  expect(res.status).toBe(200);
  return res.body.items as unknown[];
}

describe('headers', () => {
  it('aliases in another order: Active, Surname, E-mail, Given Name, Job Title, Mobile, Manager', async () => {
    const network = uniqueNetworkId('hdr');
    const report = await importCsv(t, network, fixture('aliased-headings.csv'));
    expect(report.counts).toMatchObject({ rows: 2, created: 2, rejected: 0 });
    const users = await usersOf(t, network);
    expect(users.get('ann.lee@example.com')).toMatchObject({ email: 'Ann.Lee@Example.com', name: 'Ann Lee', firstName: 'Ann', lastName: 'Lee', title: 'Director', mobile: '+447911123456', status: 'active' });
    expect(users.get('bob@example.com')).toMatchObject({ name: 'Bob Ray', firstName: 'Bob', lastName: 'Ray', title: null, mobile: null });
    expect(report.warnings).toEqual([expect.stringMatching(/^Line 2: manager boss@example\.com is not a user of this network/)]);
  });

  it.each([
    [' login , first name ,  FAMILY NAME  ', 'ann@acme.example,Ann,Lee'],
    ['  EMAIL  , Given_Name ,Surname,ENABLED', 'ann@acme.example,Ann,Lee,TRUE'],
    ['e-mail,givenname,familyname,active', 'ann@acme.example,Ann,Lee,true'],
    ['Email/Login,First Name,Last Name', 'ann@acme.example,Ann,Lee'],
    ['Work Email,First Name,Last Name', 'ann@acme.example,Ann,Lee'],
  ])('headings are matched case-insensitively and trimmed: %s', async (header, line) => {
    const network = uniqueNetworkId('hdr');
    const report = await importCsv(t, network, csv(header, line));
    expect(report.counts).toMatchObject({ rows: 1, created: 1 });
    expect(report.warnings).toEqual([]);
    expect((await usersOf(t, network)).get('ann@acme.example')).toMatchObject({ name: 'Ann Lee', firstName: 'Ann', lastName: 'Lee', status: 'active' });
  });

  it('column order comes from the header, never from position', async () => {
    const network = uniqueNetworkId('hdr');
    const report = await importCsv(t, network, csv('Enabled,mobile,title,lastname,firstname,email/login,name', 'FALSE,,,,,gone@acme.example,Gone', 'TRUE,+91 1234123411,Director,Smith,Will,will@acme.example,Will Smith'));
    expect(report.counts).toMatchObject({ rows: 2, created: 1, skipped: 1 });
    expect((await usersOf(t, network)).get('will@acme.example')).toMatchObject({ name: 'Will Smith', firstName: 'Will', lastName: 'Smith', title: 'Director', mobile: '+911234123411' });
  });

  it('Outlook\'s contact export: the job title comes from "Job Title", and "Title" (Ms.) is ignored with a warning', async () => {
    const network = uniqueNetworkId('hdr');
    const report = await importCsv(t, network, fixture('outlook-export.csv'));
    expect(report.counts).toMatchObject({ rows: 1, created: 1, rejected: 0 });
    expect(report.warnings).toEqual(['Column "Title" was ignored: "Job Title" holds the job title']);
    expect((await usersOf(t, network)).get('ann@example.com')).toMatchObject({ firstName: 'Ann', lastName: 'Lee', title: 'Director', mobile: '+447911123456' });
  });

  it('headings and no user: completed, nothing imported, and the report says the file has no users', async () => {
    const network = uniqueNetworkId('hdr');
    const report = await importCsv(t, network, fixture('header-only.csv'));
    expect(report).toMatchObject({ status: 'completed', counts: { rows: 0 }, warnings: [NO_USERS_IN_FILE] });
    expect((await usersOf(t, network)).size).toBe(0);
  });

  it('an unknown column is a warning on the report and is ignored', async () => {
    const network = uniqueNetworkId('hdr');
    const report = await importCsv(t, network, fixture('unknown-column.csv'));
    expect(report.counts).toMatchObject({ rows: 1, created: 1 });
    expect(report.warnings).toEqual(['Unknown column "department" was ignored']);
    const ann = (await usersOf(t, network)).get('ann@example.com')!;
    expect(JSON.stringify(ann)).not.toContain('Sales');
  });

  it('no e-mail column: 422 naming the e-mail heading; nothing queued', async () => {
    const network = uniqueNetworkId('hdr');
    const res = await upload(t, network, fixture('missing-email-header.csv'));
    const problem = expectProblem(res, 422);
    expect(problem.detail).toMatch(/e-mail column/);
    expect(problem.detail).toContain('email/login');
    expect(problem.reason).toBe('missing-email-column');
    expect(await importsOf(network)).toEqual([]);
  });

  it('a title above the headings (as reports have): 422 saying which line has the headings and what to delete', async () => {
    const network = uniqueNetworkId('hdr');
    const problem = expectProblem(await upload(t, network, fixture('title-line-above-headings.csv')), 422);
    expect(problem).toMatchObject({
      reason: 'missing-email-column',
      line: 1,
      detail: 'The column headings must be on the first line, and line 3 has them: delete lines 1–2 above it and upload the file again.',
    });
    expect(await importsOf(network)).toEqual([]);
  });

  it('a duplicated e-mail column (email and E-mail Address): 422 naming both headings; nothing queued', async () => {
    const network = uniqueNetworkId('hdr');
    const res = await upload(t, network, fixture('duplicate-email-header.csv'));
    const problem = expectProblem(res, 422);
    expect(problem).toMatchObject({ reason: 'duplicate-column', detail: 'Columns "email" and "E-mail Address" both hold the e-mail address; keep only one of them.' });
    expect(await importsOf(network)).toEqual([]);
    expect(await usersOf(t, network)).toEqual(new Map());
  });
});

describe('headers the file cannot be read without', () => {
  it('a heading line with an unclosed quote: 422 naming line 1; nothing queued', async () => {
    const network = uniqueNetworkId('hdr');
    const problem = expectProblem(await upload(t, network, csv('"name,email/login', 'Ann,ann@acme.example')), 422);
    expect(problem).toMatchObject({ reason: 'unreadable', line: 1 });
    expect(problem.detail).toMatch(/line 1/);
    expect(await importsOf(network)).toEqual([]);
  });

  it('an e-mail column given twice (Email and Work Email) refuses the file naming both headings', async () => {
    const network = uniqueNetworkId('hdr');
    const problem = expectProblem(await upload(t, network, csv('Email,name,Work Email', 'a@acme.example,A,a@work.example')), 422);
    expect(problem).toMatchObject({ reason: 'duplicate-column', detail: 'Columns "Email" and "Work Email" both hold the e-mail address; keep only one of them.' });
    expect(await importsOf(network)).toEqual([]);
  });

  it('any field given twice (name and "Display Name") refuses the file naming both headings', async () => {
    const network = uniqueNetworkId('hdr');
    const problem = expectProblem(await upload(t, network, csv('email/login,name,Display Name', 'a@acme.example,A,B')), 422);
    expect(problem.reason).toBe('duplicate-column');
    expect(problem.detail).toContain('"name"');
    expect(problem.detail).toContain('"Display Name"');
  });
});

describe('encodings and delimiters', () => {
  it.each(['utf8-bom.csv', 'utf16le-bom.csv', 'utf16be-bom.csv', 'windows-1252.csv', 'mixed-encodings.csv'])('%s: names arrive accented in the read model', async (name) => {
    const network = uniqueNetworkId('enc');
    // José exists already so that his FALSE line updates (and shows) his name instead of being skipped.
    await createUserOverHttp(t, network, { email: 'jose.nunez@example.com', name: 'Placeholder' });
    const report = await importCsv(t, network, fixture(name), { mode: 'update' }, name);
    expect(report.counts).toMatchObject({ rows: 2, created: 1, updated: 1, deactivated: 1, rejected: 0 });
    const users = await usersOf(t, network);
    expect(users.get('renee.muller@example.com')).toMatchObject({ name: 'Renée Müller', firstName: 'Renée', lastName: 'Müller', title: 'Señora Directora', mobile: '+33612345678', status: 'active' });
    expect(users.get('jose.nunez@example.com')).toMatchObject({ name: 'José Núñez', firstName: 'José', lastName: 'Núñez', title: 'Ingeniero', status: 'deactivated' });
  });

  it('UTF-16 without a BOM is refused, never a 500 (415/422)', async () => {
    const res = await upload(t, uniqueNetworkId('enc'), fixture('utf16le-no-bom.csv'));
    expect([415, 422]).toContain(res.status);
    expectProblem(res, res.status);
  });

  it('`;` delimiter (a comma inside a value stays in it)', async () => {
    const network = uniqueNetworkId('enc');
    const report = await importCsv(t, network, fixture('semicolon.csv'));
    expect(report.counts).toMatchObject({ rows: 2, created: 1, skipped: 1 });
    expect((await usersOf(t, network)).get('ann@example.com')).toMatchObject({ name: 'Ann Lee', title: 'Director, Sales', mobile: '+447911123456' });
  });

  it("Excel's sep=; first line declares the delimiter and is not a user", async () => {
    const network = uniqueNetworkId('enc');
    const report = await importCsv(t, network, fixture('excel-sep-line.csv'));
    expect(report.counts).toMatchObject({ rows: 2, created: 1, skipped: 1, rejected: 0 });
    expect(report.warnings).toEqual([]);
    expect((await usersOf(t, network)).get('ann@example.com')).toMatchObject({ name: 'Ann Lee', title: 'Director, EMEA' });
  });

  it('tab delimiter', async () => {
    const network = uniqueNetworkId('enc');
    const report = await importCsv(t, network, fixture('tab-delimited.csv'));
    expect(report.counts).toMatchObject({ rows: 2, created: 1, skipped: 1 });
    expect((await usersOf(t, network)).get('ann@example.com')).toMatchObject({ name: 'Ann Lee', title: 'Director' });
  });

  it('CRLF, blank lines and a trailing empty line: blank lines are not rows', async () => {
    const network = uniqueNetworkId('enc');
    const report = await importCsv(t, network, fixture('blank-lines.csv'));
    expect(report.counts.rows).toBe(2);
    expect(exclusiveSum(report.counts)).toBe(2);
  });
});

describe('faulty lines: rejected with their line number, the others go on', () => {
  it('a line with fewer or more fields than headings: rejected with line, expected and actual counts', async () => {
    const network = uniqueNetworkId('lines');
    const report = await importCsv(t, network, fixture('wrong-field-counts.csv'));
    expect(report.counts).toMatchObject({ rows: 4, created: 1, skipped: 1, rejected: 2 });
    expect([...(await usersOf(t, network)).keys()]).toEqual(['ann@example.com']);
    const errors = await errorsJson(t, network, report.id);
    expect(errors.map((e) => e.line)).toEqual([3, 4]);
    expect(errors[0].error).toBe('line 3 has 3 fields but the header has 5');
    // The cell past the headings has no column in the error report: the message shows it.
    expect(errors[1].error).toBe('line 4 has 6 fields but the header has 5 (past the headings: "extra")');
    expect(errors[0].email).toBe('bob@example.com');
  });

  it('an unclosed quote: that line is rejected naming it, the following lines still import', async () => {
    const network = uniqueNetworkId('lines');
    const report = await importCsv(t, network, fixture('unclosed-quote.csv'));
    // Ann and Cid created, Dee skipped (FALSE), Bob's line rejected.
    expect(report.counts).toMatchObject({ rows: 4, created: 2, skipped: 1, rejected: 1 });
    expect([...(await usersOf(t, network)).keys()].sort()).toEqual(['ann@example.com', 'cid@example.com']);
    const errors = await errorsJson(t, network, report.id);
    expect(errors).toEqual([expect.objectContaining({ line: 3, error: expect.stringMatching(/quote/i) })]);
    expect(errors[0].error).toMatch(/line 3/);
  });

  it('a NUL character past the first 8 KiB rejects its line (never fails the import); the next lines import', async () => {
    const network = uniqueNetworkId('lines');
    const lines = Array.from({ length: 600 }, (_, i) => `u${i}@acme.example,User ${i},`);
    const report = await importCsv(t, network, csv('email/login,name,title', ...lines, 'nul@acme.example,Nul\u0000Name,', 'after@acme.example,After,'));
    expect(report.counts).toMatchObject({ rows: 602, created: 601, rejected: 1 });
    const errors = await errorsJson(t, network, report.id);
    expect(errors).toEqual([expect.objectContaining({ line: 602, error: expect.stringMatching(/line 602 holds a NUL character/) })]);
    expect((await usersOf(t, network)).has('after@acme.example')).toBe(true);
  });

  it('lines whose rejection quotes a NUL or half an emoji (an unclosed quote, a value cut short) are stored: the import completes', async () => {
    const network = uniqueNetworkId('lines');
    const lines = Array.from({ length: 600 }, (_, i) => `u${i}@acme.example,User ${i},`);
    const emojiAt60 = `${'x'.repeat(59)}😀@acme.example`;
    const report = await importCsv(t, network, csv('email/login,name,title', ...lines, '"unclosed\u0000 quote,b@acme.example,', `${emojiAt60},Emoji,`, 'after@acme.example,After,'));
    expect(report).toMatchObject({ status: 'completed', counts: { rows: 603, created: 601, rejected: 2 } });
    const errors = await errorsJson(t, network, report.id);
    expect(errors.map((e: { line: number; error: string }) => [e.line, e.error])).toEqual([
      [602, 'line 602: a quote is opened but never closed; the line reads: "unclosed\uFFFD quote,b@acme.example,'],
      [603, `line 603: "${'x'.repeat(59)}…" in column "email/login" is not a valid e-mail address (the part before the @ has characters or dots an address cannot have)`],
    ]);
  });

  it('a line over 64 KiB is rejected with its number; the lines around it import', async () => {
    const network = uniqueNetworkId('lines');
    const long = 'x'.repeat(70 * 1024);
    const report = await importCsv(t, network, csv('email/login,name,title', 'a@acme.example,A,', `b@acme.example,B,${long}`, 'c@acme.example,C,'));
    expect(report.counts).toMatchObject({ rows: 3, created: 2, rejected: 1 });
    expect([...(await usersOf(t, network)).keys()].sort()).toEqual(['a@acme.example', 'c@acme.example']);
    const errors = await errorsJson(t, network, report.id);
    expect(errors).toEqual([expect.objectContaining({ line: 3, error: expect.stringMatching(/64 KiB|too long|longer/i) })]);
  });
});
