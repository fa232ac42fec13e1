import { DomainError } from '../../../shared/domain/domain-error.js';

// Practical check, not full RFC 5322: what real directories contain, and what mail servers accept.
const EMAIL = /^[^\s@"(),:;<>[\\\]]+@[^\s@"(),:;<>[\\\]]+\.[^\s@"(),:;<>[\\\]]{2,}$/;

/** Returns the trimmed address, or throws naming the field. Compare addresses with `emailKey`. */
export function parseEmail(raw: string, field = 'email'): string {
  const email = raw.trim();
  if (email === '') throw new DomainError('invalid-value', 'E-mail is required.', field);
  if (email.length > 254 || !EMAIL.test(email)) {
    throw new DomainError('invalid-value', `"${email}" is not a valid e-mail address.`, field);
  }
  return email;
}

/** E-mail addresses are compared case-insensitively within a network. */
export const emailKey = (email: string): string => email.trim().toLowerCase();
