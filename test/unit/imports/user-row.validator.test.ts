import { mapHeaders, type HeaderMapping } from '../../../src/modules/imports/domain/header-mapping.js';
import { UserRowValidator, type UserRowResult } from '../../../src/modules/imports/domain/user-row.validator.js';

const GUIDE_HEADER = ['name', 'firstname', 'lastname', 'email/login', 'title', 'mobile', 'manager', 'Enabled'];

function mapping(headers: string[]): HeaderMapping {
  const result = mapHeaders(headers);
  if (!result.ok) throw new Error(result.error);
  return result.mapping;
}

const guide = new UserRowValidator(mapping(GUIDE_HEADER));

/** A guide-shaped line with some cells replaced. */
function line(cells: Partial<Record<(typeof GUIDE_HEADER)[number], string>>): string[] {
  const base: Record<string, string> = {
    name: 'Will Smith',
    firstname: 'Will',
    lastname: 'Smith',
    'email/login': 'willsmith@gmail.com',
    title: 'Director',
    mobile: '(+91)1234123411',
    manager: 'johnny_depp@yahoo.com',
    Enabled: 'TRUE',
  };
  return GUIDE_HEADER.map((h) => cells[h] ?? base[h]);
}

function rejection(result: UserRowResult): { field?: string; error: string } {
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.row)}`);
  return { field: result.rejection.field, error: result.rejection.error };
}

describe('UserRowValidator', () => {
  it('names a repeated heading line as such, not as a bad e-mail address', () => {
    expect(rejection(guide.validate({ line: 9, fields: GUIDE_HEADER.map((h) => h.toUpperCase()) }))).toEqual({
      field: 'email',
      error: 'line 9 repeats the heading line (were two files put together?); remove it',
    });
  });

  it("reads cells the error report guarded against formulas as they were written: the report, fixed, uploads as it is", () => {
    const result = guide.validate({ line: 3, fields: line({ name: "'-Dash", title: "'=Sales", mobile: "'+44 7911 123457" }) });
    expect(result).toMatchObject({ ok: true, row: { name: '-Dash', title: '=Sales', mobile: '+447911123457' } });
    expect(rejection(guide.validate({ line: 4, fields: line({ mobile: "'07911 123457" }) })).field).toBe('mobile');
  });

  it('reads Excel\'s ="…" text cells as the text they show, and leaves any other formula as written', () => {
    const result = guide.validate({
      line: 2,
      fields: line({ name: '="Will ""The Boss"" Smith"', 'email/login': '="WillSmith@gmail.com"', mobile: '="(+91)1234123411"', title: '=A1', manager: '="johnny_depp@yahoo.com"' }),
    });
    expect(result).toMatchObject({
      ok: true,
      row: { name: 'Will "The Boss" Smith', email: 'WillSmith@gmail.com', mobile: '+911234123411', title: '=A1', managerEmailKey: 'johnny_depp@yahoo.com' },
    });
    expect(rejection(guide.validate({ line: 3, fields: line({ mobile: '=A1' }) })).field).toBe('mobile');
  });

  it('keeps a manager cell that is no e-mail address as written: an unknown manager, not a rejected line', () => {
    expect(guide.validate({ line: 4, fields: line({ manager: 'Johnny Depp' }) })).toMatchObject({ ok: true, row: { managerEmailKey: 'Johnny Depp' } });
    expect(guide.validate({ line: 4, fields: line({ manager: ' Johnny_Depp@Yahoo.com ' }) })).toMatchObject({ ok: true, row: { managerEmailKey: 'johnny_depp@yahoo.com' } });
  });

  it("turns the guide's line into a user row", () => {
    expect(guide.validate({ line: 2, fields: line({}) })).toEqual({
      ok: true,
      row: {
        line: 2,
        email: 'willsmith@gmail.com',
        emailKey: 'willsmith@gmail.com',
        name: 'Will Smith',
        firstName: 'Will',
        lastName: 'Smith',
        title: 'Director',
        mobile: '+911234123411',
        managerEmailKey: 'johnny_depp@yahoo.com',
        enabled: true,
      },
    });
  });

  it('trims every value and reads blank cells as "leave as is"', () => {
    const result = guide.validate({ line: 7, fields: ['  ', ' Will ', '', '  WillSmith@Gmail.com ', '', ' ', '', '   '] });
    expect(result).toEqual({
      ok: true,
      row: {
        line: 7,
        email: 'WillSmith@Gmail.com',
        emailKey: 'willsmith@gmail.com',
        name: undefined,
        firstName: 'Will',
        lastName: undefined,
        title: undefined,
        mobile: undefined,
        managerEmailKey: undefined,
        enabled: null,
      },
    });
  });

  it('lower-cases the manager to the key it is found by', () => {
    const result = guide.validate({ line: 2, fields: line({ manager: ' Johnny_Depp@Yahoo.COM ' }) });
    expect(result.ok && result.row.managerEmailKey).toBe('johnny_depp@yahoo.com');
  });

  it('uses the columns the header names, in the order it gives', () => {
    const validator = new UserRowValidator(mapping(['Active', 'department', 'E-mail', 'Surname']));
    expect(validator.validate({ line: 3, fields: ['false', 'Sales', 'ann@example.com', 'Lee'] })).toEqual({
      ok: true,
      row: {
        line: 3,
        email: 'ann@example.com',
        emailKey: 'ann@example.com',
        name: undefined,
        firstName: undefined,
        lastName: 'Lee',
        title: undefined,
        mobile: undefined,
        managerEmailKey: undefined,
        enabled: false,
      },
    });
  });

  it.each([
    [6, 'line 5 has 6 fields but the header has 8'],
    [9, 'line 5 has 9 fields but the header has 8 (past the headings: "extra")'],
    [1, 'line 5 has 1 field but the header has 8'],
  ])('rejects a line with %i fields as a whole', (count, error) => {
    const fields = [...line({}), 'extra'].slice(0, count);
    const result = guide.validate({ line: 5, fields });
    expect(result).toEqual({ ok: false, rejection: { line: 5, field: undefined, error, email: count > 3 ? 'willsmith@gmail.com' : undefined } });
  });

  it.each([
    [{ 'email/login': '' }, 'email', 'line 4: the e-mail address (column "email/login") is empty'],
    [{ 'email/login': 'will smith@gmail.com' }, 'email', 'line 4: "will smith@gmail.com" in column "email/login" is not a valid e-mail address (it contains a space)'],
    [{ 'email/login': 'willsmith' }, 'email', 'line 4: "willsmith" in column "email/login" is not a valid e-mail address (it has no @)'],
    [{ mobile: '+91 12' }, 'mobile', 'line 4: "+91 12" in column "mobile" is not a valid mobile number (it is not a possible phone number: wrong number of digits for a +91 number)'],
    [{ mobile: '+44 7911 12345678901234' }, 'mobile', 'line 4: "+44 7911 12345678901234" in column "mobile" is not a valid mobile number (it has too many digits for a +44 number)'],
    [{ mobile: '-' }, 'mobile', 'line 4: "-" in column "mobile" is not a valid mobile number (it stands for "no number": give no mobile at all when the user has none)'],
    [{ mobile: '#N/A' }, 'mobile', 'line 4: "#N/A" in column "mobile" is not a valid mobile number (it stands for "no number": give no mobile at all when the user has none)'],
    [{ mobile: '1234123411' }, 'mobile', 'line 4: "1234123411" in column "mobile" is not a valid mobile number (it has no country code; write it as +<country code><number>, e.g. +44 7911 123456)'],
    [{ Enabled: 'yes' }, 'enabled', 'line 4: "yes" in column "Enabled" must be TRUE, FALSE or left blank'],
    [{ Enabled: 'TRUE.' }, 'enabled', 'line 4: "TRUE." in column "Enabled" must be TRUE, FALSE or left blank'],
    [{ name: 'n'.repeat(201) }, 'name', 'line 4: the value in column "name" is longer than 200 characters'],
    [
      { name: 'Ann \u202Enimda\u202C' },
      'name',
      'line 4: "Ann nimda" in column "name" holds an invisible character that reverses the text around it (U+202E), which can make it show as something else; remove it',
    ],
    [
      { lastname: 'Smith\u2066' },
      'lastName',
      'line 4: "Smith" in column "lastname" holds an invisible character that reverses the text around it (U+2066), which can make it show as something else; remove it',
    ],
    [{ firstname: 'f'.repeat(201) }, 'firstName', 'line 4: the value in column "firstname" is longer than 200 characters'],
    [{ lastname: 'l'.repeat(201) }, 'lastName', 'line 4: the value in column "lastname" is longer than 200 characters'],
    [{ title: 't'.repeat(201) }, 'title', 'line 4: the value in column "title" is longer than 200 characters'],
  ])('rejects %j naming the field %s', (cells, field, error) => {
    expect(rejection(guide.validate({ line: 4, fields: line(cells) }))).toEqual({ field, error });
  });

  it('reads a cell of invisible characters alone as blank: a new user with such a name has none', () => {
    const result = guide.validate({ line: 4, fields: line({ name: '\u200b', firstname: '\u2060\u200c', lastname: ' \u00ad ', title: '\ufeff' }) });
    expect(result).toMatchObject({ ok: true, row: { name: undefined, firstName: undefined, lastName: undefined, title: undefined } });
  });

  it('reads a mobile, Enabled and manager through the invisible characters pasted into them, since what is kept is read from them', () => {
    const result = guide.validate({
      line: 4,
      fields: line({ mobile: '+44 7911 123456\u200b', Enabled: 'FALSE\u200b', manager: 'Johnny_Depp@yahoo.com\u200b' }),
    });
    expect(result).toMatchObject({ ok: true, row: { mobile: '+447911123456', enabled: false, managerEmailKey: 'johnny_depp@yahoo.com' } });
    const reversed = guide.validate({ line: 5, fields: line({ mobile: '\u202a+44 7911 123456\u202c', manager: 'rene\u0301e@exemple.fr' }) });
    expect(reversed).toMatchObject({ ok: true, row: { mobile: '+447911123456', managerEmailKey: 'ren\u00e9e@exemple.fr' } });
  });

  it('names columns as the file heads them', () => {
    const validator = new UserRowValidator(mapping(['Active', 'Login']));
    expect(rejection(validator.validate({ line: 9, fields: ['maybe', 'ann@example.com'] }))).toEqual({
      field: 'enabled',
      error: 'line 9: "maybe" in column "Active" must be TRUE, FALSE or left blank',
    });
  });

  it('shortens a long bad value in its message', () => {
    const { error } = rejection(guide.validate({ line: 4, fields: line({ Enabled: 'x'.repeat(500) }) }));
    expect(error).toBe(`line 4: "${'x'.repeat(60)}…" in column "Enabled" must be TRUE, FALSE or left blank`);
  });

  it('keeps 200-character values', () => {
    const result = guide.validate({ line: 4, fields: line({ name: 'n'.repeat(200), title: ` ${'t'.repeat(200)} ` }) });
    expect(result.ok && [result.row.name?.length, result.row.title?.length]).toEqual([200, 200]);
  });

  it.each([
    ['TRUE', true],
    ['true', true],
    ['True', true],
    ['FALSE', false],
    [' false ', false],
    ['', null],
  ])('reads Enabled %j as %s', (text, enabled) => {
    const result = guide.validate({ line: 2, fields: line({ Enabled: text }) });
    expect(result.ok && result.row.enabled).toBe(enabled);
  });

  it('reads national mobiles in the configured default region', () => {
    const validator = new UserRowValidator(mapping(GUIDE_HEADER), { defaultRegion: 'IN' });
    const result = validator.validate({ line: 2, fields: line({ mobile: '12341 23411' }) });
    expect(result.ok && result.row.mobile).toBe('+911234123411');
  });

  it('refuses an unknown default region when it is built', () => {
    expect(() => new UserRowValidator(mapping(GUIDE_HEADER), { defaultRegion: 'XX' })).toThrow('Unknown phone region "XX"');
  });
});
