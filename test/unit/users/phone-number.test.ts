import { parsePhoneNumberFromString } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/min/metadata';
import { PhoneNumber, assertPhoneRegion } from '../../../src/modules/users/domain/phone-number.js';

function parsed(text: string, region?: string): string {
  const result = PhoneNumber.parse(text, region);
  return result.ok ? result.value.e164 : `rejected: ${result.reason}`;
}

describe('PhoneNumber', () => {
  it.each([
    ['(+91)1234123411', '+911234123411'],
    ['+91 12341 23411', '+911234123411'],
    ['+44 7911 123456', '+447911123456'],
    ['+44 (0)7911 123456', '+447911123456'],
    ['+1 (212) 555-0123', '+12125550123'],
    ['+1.212.555.0123', '+12125550123'],
    ['+33 6 12 34 56 78', '+33612345678'],
    ['0033 6 12 34 56 78', '+33612345678'],
    ['+49\u00a0151\u00a012345678', '+4915112345678'],
    ['+86 138 0013 8000', '+8613800138000'],
  ])('reads %s as %s', (text, e164) => {
    expect(parsed(text)).toBe(e164);
  });

  it.each([
    ['', 'rejected: it is empty'],
    [' - ( ) ', 'rejected: it is empty'],
    ['+91 12', 'rejected: it is not a possible phone number: wrong number of digits for a +91 number'],
    ['+44 7911 1234567890', 'rejected: it is not a possible phone number: wrong number of digits for a +44 number'],
    ['+44 7911 12345678901234', 'rejected: it has too many digits for a +44 number'],
    ['+1 212 555 0123 4567 8901 2', 'rejected: it has too many digits for a +1 number'],
    ['+999 1234 5678 9012 3456 7890', 'rejected: its country code does not exist'],
    ['07911 123456', 'rejected: it has no country code; write it as +<country code><number>, e.g. +44 7911 123456'],
    ['+999 1234567', 'rejected: its country code does not exist'],
    ['+44 7911 CALLME', 'rejected: it may only contain digits, a leading +, spaces, dashes, dots and parentheses'],
    ['+44 7911 123456 ext. 2', 'rejected: it has an extension, which a mobile number cannot have; give the mobile number alone'],
    ['+44 7911 123456 ext 12', 'rejected: it has an extension, which a mobile number cannot have; give the mobile number alone'],
    ['+1 650-253-0000 x5', 'rejected: it has an extension, which a mobile number cannot have; give the mobile number alone'],
    ['+1 (650) 253-0000 X 340', 'rejected: it has an extension, which a mobile number cannot have; give the mobile number alone'],
    ['+49 30 1234567-Extension 12', 'rejected: it has an extension, which a mobile number cannot have; give the mobile number alone'],
    ['+44 20 7946 0000 #12', 'rejected: it has an extension, which a mobile number cannot have; give the mobile number alone'],
    ['+44 7911 x', 'rejected: it may only contain digits, a leading +, spaces, dashes, dots and parentheses'],
    ['7911+123456', 'rejected: it may only contain digits, a leading +, spaces, dashes, dots and parentheses'],
    ['9.19876E+11', 'rejected: a spreadsheet turned it into a number in scientific notation; format the column as text and type the number again'],
    ['4,47911E+11', 'rejected: a spreadsheet turned it into a number in scientific notation; format the column as text and type the number again'],
  ])('rejects "%s"', (text, outcome) => {
    expect(parsed(text)).toBe(outcome);
  });

  it.each(['-', ' – ', '—', '--', 'n/a', 'N/A', '#N/A', 'none', 'None'])('rejects %j, written for "no mobile", saying to give no mobile instead', (text) => {
    expect(parsed(text)).toBe('rejected: it stands for "no number": give no mobile at all when the user has none');
  });

  it('says a national number is too long without guessing its country', () => {
    expect(parsed('07911 12345678901234567', 'GB')).toBe('rejected: it has too many digits for a phone number');
  });

  it('reads national numbers in the default region, and international ones whatever the region', () => {
    expect(parsed('07911 123456', 'GB')).toBe('+447911123456');
    expect(parsed('06 12 34 56 78', 'FR')).toBe('+33612345678');
    expect(parsed('(+91)1234123411', 'GB')).toBe('+911234123411');
    expect(parsed('00 33 6 12 34 56 78', 'GB')).toBe('+33612345678');
    expect(parsed('0791', 'GB')).toMatch(/^rejected: /);
  });

  it('refuses an unknown default region at once', () => {
    expect(() => PhoneNumber.parse('+911234123411', 'XX')).toThrow('Unknown phone region "XX"');
    expect(() => assertPhoneRegion('ZZ')).toThrow('Unknown phone region "ZZ"');
    expect(assertPhoneRegion('IN')).toBe('IN');
  });

  // The shortcut for "+<digits>" must agree with libphonenumber-js everywhere: every calling code, national
  // numbers of every length from 3 to 15 digits, leading digits including national prefixes (0, 1, 8…).
  it('agrees with libphonenumber-js on numbers for every calling code', () => {
    let seed = 42;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const callingCodes = [...Object.keys(metadata.country_calling_codes), ...Object.keys(metadata.nonGeographic), '999', '0', '42'];
    const disagreements: string[] = [];
    let accepted = 0;
    let cases = 0;
    for (const callingCode of callingCodes) {
      for (let length = 3; length <= 15; length++) {
        for (let sample = 0; sample < 12; sample++) {
          let national = String(sample % 10);
          while (national.length < length) national += String(Math.floor(random() * 10));
          const number = `+${callingCode}${national}`;
          const library = parsePhoneNumberFromString(number, metadata);
          const expected = library !== undefined && library.isPossible() ? library.number : 'rejected';
          const actual = PhoneNumber.parse(number);
          const got = actual.ok ? actual.value.e164 : 'rejected';
          cases++;
          if (got !== 'rejected') accepted++;
          if (got !== expected) disagreements.push(`${number}: ${got} instead of ${expected}`);
        }
      }
    }
    expect(disagreements.slice(0, 20)).toEqual([]);
    expect(cases).toBeGreaterThan(30_000);
    expect(accepted).toBeGreaterThan(3_000);
  });
});
