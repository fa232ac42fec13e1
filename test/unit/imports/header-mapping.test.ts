import { headingKey, headingsFurtherDown, mapHeaders } from '../../../src/modules/imports/domain/header-mapping.js';

describe('mapHeaders', () => {
  it('maps the guide header, keeping the column order of the file', () => {
    const result = mapHeaders(['name', 'firstname', 'lastname', 'email/login', 'title', 'mobile', 'manager', 'Enabled']);
    expect(result).toEqual({
      ok: true,
      warnings: [],
      mapping: {
        columns: [
          { heading: 'name', field: 'name' },
          { heading: 'firstname', field: 'firstName' },
          { heading: 'lastname', field: 'lastName' },
          { heading: 'email/login', field: 'email' },
          { heading: 'title', field: 'title' },
          { heading: 'mobile', field: 'mobile' },
          { heading: 'manager', field: 'manager' },
          { heading: 'Enabled', field: 'enabled' },
        ],
        indexOf: { name: 0, firstName: 1, lastName: 2, email: 3, title: 4, mobile: 5, manager: 6, enabled: 7 },
      },
    });
  });

  it.each([
    ['email/login', 'email'],
    ['E-mail / Login', 'email'],
    ['email', 'email'],
    ['EMAIL', 'email'],
    ['login', 'email'],
    ['e-mail', 'email'],
    ['E-Mail Address', 'email'],
    ['Work Email', 'email'],
    ['work e-mail', 'email'],
    ['Work Email Address', 'email'],
    ['firstname', 'firstName'],
    ['First Name', 'firstName'],
    ['first_name', 'firstName'],
    ['Given name', 'firstName'],
    ['lastname', 'lastName'],
    ['Last Name', 'lastName'],
    ['surname', 'lastName'],
    ['Family Name', 'lastName'],
    ['name', 'name'],
    ['Display Name', 'name'],
    ['Full name', 'name'],
    ['Title', 'title'],
    ['Job title', 'title'],
    ['Mobile', 'mobile'],
    ['Mobile Phone', 'mobile'],
    ['mobile_number', 'mobile'],
    ['Cell phone', 'mobile'],
    ['Mobile Phone Number', 'mobile'],
    ['Manager', 'manager'],
    ['Manager Email', 'manager'],
    ['manager_e-mail_address', 'manager'],
    ['Enabled', 'enabled'],
    ['active', 'enabled'],
    // Google Workspace's "Download users": notes in brackets after the heading.
    ['Email Address [Required]', 'email'],
    ['First Name [Required]', 'firstName'],
    ['Last Name [Required]', 'lastName'],
    ['Employee Title', 'title'],
    ['Manager Email', 'manager'],
    ['Status [READ ONLY]', 'enabled'],
    ['status  [Read Only]', 'enabled'],
    // Microsoft Entra ID's "Download users".
    ['mail', 'email'],
    ['givenName', 'firstName'],
    ['accountEnabled', 'enabled'],
    // Okta's user CSV.
    ['mobilePhone', 'mobile'],
    ['  "email/login"  ', 'email'],
    ['\uFEFFemail', 'email'],
    ['“email”', 'email'],
    ['″mobile″', 'mobile'],
  ])('understands the heading %j as %s', (heading, field) => {
    const result = mapHeaders([heading, ...(field === 'email' ? [] : ['email'])]);
    expect(result.ok && result.mapping.columns[0].field).toBe(field);
  });

  it('shows headings back without blanks, quotes and BOMs', () => {
    const result = mapHeaders(['\uFEFF "email/login" ', ' “Enabled” ']);
    expect(result.ok && result.mapping.columns.map((c) => c.heading)).toEqual(['email/login', 'Enabled']);
  });

  it('reads headings with zero-width characters copied from a web page as if they had none', () => {
    const result = mapHeaders(['\u200bemail', 'first\u200c name\u2060', '\u00adTitle']);
    expect(result).toMatchObject({ ok: true, warnings: [], mapping: { indexOf: { email: 0, firstName: 1, title: 2 } } });
    expect(result.ok && result.mapping.columns.map((c) => c.heading)).toEqual(['email', 'first name', 'Title']);
  });

  it.each([
    'userPrincipalName',
    'Status',
    'Block sign in (Yes/No) [accountEnabled] Required',
    'managerId',
    '[Required]',
  ])('leaves %j unmapped: no field of a user, or not one to take unasked', (heading) => {
    const result = mapHeaders(['email', heading]);
    expect(result).toMatchObject({ ok: true, warnings: [`Unknown column "${heading}" was ignored`] });
    expect(result.ok && result.mapping.columns[1].field).toBeNull();
  });

  it('reads a heading ending in a long run of "[" in linear time', () => {
    expect(headingKey(`email${'['.repeat(64 * 1024)}]`)).toBe(`email${'['.repeat(64 * 1024 - 1)}`);
    expect(headingKey(`email ${'[x] '.repeat(16 * 1024)}`)).toBe('email');
  });

  it('ignores unknown columns with one warning naming them all, and unnamed ones with a warning each', () => {
    const result = mapHeaders(['name', 'department', 'email', '', 'Cost Centre', 'Floor']);
    expect(result).toMatchObject({
      ok: true,
      warnings: ['Unknown columns "department", "Cost Centre" and "Floor" were ignored', 'Column 4 has no heading and was ignored'],
      mapping: { indexOf: { name: 0, email: 2 } },
    });
    expect(result.ok && result.mapping.columns.map((c) => c.field)).toEqual(['name', null, 'email', null, null, null]);
    expect(mapHeaders(['email', 'line', 'error'])).toMatchObject({ warnings: ['Unknown columns "line" and "error" were ignored'] });
  });

  it('names at most 50 unknown columns, and merges the columns without a heading (a spreadsheet pads the line) into one warning', () => {
    const wide = ['email', ...Array.from({ length: 3_000 }, (_, i) => `col${i + 1}`)];
    const named = Array.from({ length: 50 }, (_, i) => `"col${i + 1}"`).join(', ');
    expect(mapHeaders(wide)).toMatchObject({ ok: true, warnings: [`Unknown columns ${named} and 2,950 more were ignored`] });
    expect(mapHeaders(['email', 'name', '', 'title', '', ''])).toMatchObject({ ok: true, warnings: ['Columns 3, 5 and 6 have no heading and were ignored'] });
    expect(mapHeaders(['email', ...Array(55).fill('')])).toMatchObject({
      ok: true,
      warnings: [`Columns ${Array.from({ length: 50 }, (_, i) => i + 2).join(', ')} and 5 more have no heading and were ignored`],
    });
  });

  it('refuses a header without an e-mail column, listing what it found', () => {
    expect(mapHeaders(['name', 'firstname', 'lastname'])).toEqual({
      ok: false,
      code: 'missing-email-column',
      error: 'The file has no e-mail column: one heading must be "email/login" (or "email", "login", "e-mail"). Columns found: "name", "firstname", "lastname".',
    });
  });

  it.each([
    [['name', 'userPrincipalName', 'Secondary Email'], [['Ann', 'ann@contoso.example', '']], ' Column "userPrincipalName" holds e-mail addresses: if they are the users\' addresses, rename its heading to "email/login".'],
    [['Name', 'Primary', 'Other', 'Manager'], [['Ann', 'ann@a.example', 'ann@b.example', 'boss@a.example'], ['Bob', 'bob@a.example', '', '']], ' Columns "Primary" and "Other" hold e-mail addresses: rename the heading of the one with the users\' addresses to "email/login".'],
    [['name', ''], [['Ann', 'ann@a.example']], ' Column 2 (no heading) holds e-mail addresses: if they are the users\' addresses, rename its heading to "email/login".'],
    [['Ann', 'ann@a.example'], [['Bob', 'bob@a.example']], ' The first line looks like a user ("ann@a.example" is an e-mail address), not headings: add a line of headings above it.'],
    [['name', 'userPrincipalName'], [['Ann', 'ann'], ['Bob', 'bob@contoso.example']], ''],
    [['name', 'userPrincipalName'], [['Ann', 'ann@contoso.example', 'extra']], ''],
    [['name', 'userPrincipalName'], [], ''],
  ])('no e-mail heading in %j: the refusal names the column holding addresses in the first lines %j, never taking it', (headers, lines, advice) => {
    const result = mapHeaders(headers, lines.map((fields) => ({ fields })));
    expect(result).toMatchObject({ ok: false, code: 'missing-email-column' });
    const found = headers.map((h) => `"${h}"`).join(', ');
    expect(!result.ok && result.error).toBe(`The file has no e-mail column: one heading must be "email/login" (or "email", "login", "e-mail"). Columns found: ${found}.${advice}`);
  });

  it('shows a misdetected single-column header as found, which tells the admin what went wrong', () => {
    const result = mapHeaders(['name|email']);
    expect(result).toMatchObject({ ok: false, code: 'missing-email-column' });
    expect(!result.ok && result.error).toContain('Columns found: "name|email".');
  });

  it.each([
    [['login', 'name', 'email/login'], 'Columns "login" and "email/login" both hold the e-mail address; keep only one of them.'],
    [['E-mail Address', 'name', 'login'], 'Columns "E-mail Address" and "login" both hold the e-mail address; keep only one of them.'],
    [['E-mail', 'email/login'], 'Columns "E-mail" and "email/login" both hold the e-mail address; keep only one of them.'],
    [['email', 'firstname', 'Given Name'], 'Columns "firstname" and "Given Name" both hold the first name; keep only one of them.'],
    [['email', 'Enabled', 'Active'], 'Columns "Enabled" and "Active" both hold the Enabled flag; keep only one of them.'],
    [['email', 'title', 'Title'], 'Columns "title" and "Title" both hold the title; keep only one of them.'],
    [['Email', 'name', 'Work Email'], 'Columns "Email" and "Work Email" both hold the e-mail address; keep only one of them.'],
    [['email', 'Job Title', 'job_title'], 'Columns "Job Title" and "job_title" both hold the title; keep only one of them.'],
  ])('refuses %j: a field given twice', (headers, error) => {
    expect(mapHeaders(headers)).toEqual({ ok: false, code: 'duplicate-column', error });
  });

  it.each([
    [['First Name', 'Title', 'Job Title', 'E-mail Address'], 1, 2],
    [['email', 'Job Title', 'Title'], 2, 1],
  ])('takes the job title from "Job Title" in %j (Outlook also has "Title": Mr., Ms.), ignoring "Title" with a warning', (headers, ignored, jobTitle) => {
    const result = mapHeaders(headers);
    expect(result).toMatchObject({ ok: true, warnings: ['Column "Title" was ignored: "Job Title" holds the job title'], mapping: { indexOf: { title: jobTitle } } });
    expect(result.ok && result.mapping.columns[ignored]).toEqual({ heading: 'Title', field: null });
  });

  it.each([
    [['login', 'firstName', 'email'], 0, 2],
    [['Email', 'Login'], 1, 0],
  ])('takes the e-mail address from "email" in %j (Okta also has "login", its sign-in name), ignoring "login" with a warning', (headers, ignored, email) => {
    const result = mapHeaders(headers);
    const login = headers[ignored];
    expect(result).toMatchObject({ ok: true, warnings: [`Column "${login}" was ignored: "${headers[email]}" holds the e-mail address`], mapping: { indexOf: { email } } });
    expect(result.ok && result.mapping.columns[ignored]).toEqual({ heading: login, field: null });
  });

  it('normalises headings to one key per spelling', () => {
    expect(headingKey(' First-Name ')).toBe('firstname');
    expect(headingKey('"E_mail / LOGIN"')).toBe('email/login');
    expect(headingKey('Recovery Phone [MUST BE IN THE E.164 FORMAT]')).toBe('recoveryphone');
    expect(headingKey('Storage limit [READ ONLY] [x]')).toBe('storagelimit');
  });

  it('finds headings a title pushed down, within the next ten lines only', () => {
    const record = (line: number, fields: string[]) => ({ line, fields });
    const title = (line: number) => record(line, ['Company directory', '', '']);
    expect(headingsFurtherDown([title(2), record(3, ['Name', 'E-mail', 'Title']), record(4, ['Ann', 'ann@example.com', ''])])).toBe(3);
    expect(headingsFurtherDown([title(2), record(3, ['Ann', 'ann@example.com', ''])])).toBeUndefined();
    const far = [...Array.from({ length: 10 }, (_, i) => title(i + 2)), record(12, ['name', 'email'])];
    expect(headingsFurtherDown(far)).toBeUndefined();
  });
});
