import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import { DomainError } from '../../../shared/domain/domain-error.js';

// Admins write numbers as "(+91)1234123411", "+44 20 7946 0958" or "020-7946-0958"; the separators carry no meaning.
const SEPARATORS = /[\s().\-/]/g;

/** Parses a mobile number into E.164, or throws naming the field when it cannot be a real number. */
export function parseMobile(raw: string, defaultRegion?: string, field = 'mobile'): string {
  const compact = raw.replace(SEPARATORS, '');
  const parsed = parsePhoneNumberFromString(compact, defaultRegion as CountryCode | undefined);
  if (!parsed || !parsed.isPossible()) {
    const hint = compact.startsWith('+') || defaultRegion ? '' : ' (start it with + and the country code)';
    throw new DomainError('invalid-value', `"${raw.trim()}" is not a possible phone number${hint}.`, field);
  }
  return parsed.number;
}
