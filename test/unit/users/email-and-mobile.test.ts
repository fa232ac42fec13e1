import { emailKey, parseEmail } from '../../../src/modules/users/domain/email-address.js';
import { parseMobile } from '../../../src/modules/users/domain/phone-number.js';
import { DomainError } from '../../../src/shared/domain/domain-error.js';

describe('e-mail addresses', () => {
  it('trims and keeps the case as given; the key is lower-cased', () => {
    expect(parseEmail('  Will@Acme.Example ')).toBe('Will@Acme.Example');
    expect(emailKey('Will@Acme.Example')).toBe(emailKey('will@ACME.example'));
  });

  it.each(['', '   ', 'will', 'will@', '@acme.example', 'will@acme', 'will smith@acme.example', 'a@b.c', `${'x'.repeat(250)}@acme.example`])(
    'refuses %p naming the field',
    (raw) => {
      expect(() => parseEmail(raw, 'managerEmail')).toThrow(DomainError);
      try {
        parseEmail(raw, 'managerEmail');
      } catch (e) {
        expect(e).toMatchObject({ code: 'invalid-value', field: 'managerEmail' });
      }
    },
  );
});

describe('mobile numbers', () => {
  it.each([
    ['(+91)1234123411', '+911234123411'],
    ['+44 20 7946 0958', '+442079460958'],
    ['+1-202-555-0143', '+12025550143'],
  ])('parses %p to E.164', (raw, e164) => {
    expect(parseMobile(raw)).toBe(e164);
  });

  it('uses the default region for national numbers', () => {
    expect(parseMobile('020 7946 0958', 'GB')).toBe('+442079460958');
  });

  it.each(['12', '+1', 'call me', '+99 123'])('refuses the impossible %p', (raw) => {
    expect(() => parseMobile(raw)).toThrow(/is not a valid mobile number/);
  });
});
