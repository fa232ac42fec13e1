import { withoutHiddenCharacters } from '../../../../shared/domain/invisible-characters.js';
import { storableText } from '../../../../shared/infrastructure/database/storable-text.js';

/** Long enough for any name people give a file; a longer one would push the counts out of an e-mail's subject. */
const MAX_FILE_NAME_LENGTH = 120;
const FALLBACK = 'users.csv';
const LINE_BREAKS_AND_TABS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
const OTHER_CONTROLS = /[\u0000-\u001F\u007F-\u009F]/g;

/**
 * The uploaded file's name as reports, the admin page and e-mail subjects show it. A client chooses it freely
 * (RFC 5987's `filename*` carries any byte, NUL and line breaks included), so what cannot be shown is dropped:
 * control and invisible characters, direction overrides (which make "invoice\u202Efdp.exe" read as "invoiceexe.pdf"), and
 * the middle of an overlong name, whose start and extension are what people recognise.
 */
export function uploadFileName(sent: string | undefined): string {
  const visible = (sent ?? '').replace(LINE_BREAKS_AND_TABS, ' ').replace(OTHER_CONTROLS, '');
  const cleaned = withoutHiddenCharacters(storableText(visible)).replace(/\s+/g, ' ').trim();
  if (cleaned === '') return FALLBACK;
  const chars = [...cleaned];
  if (chars.length <= MAX_FILE_NAME_LENGTH) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 && cleaned.length - dot <= 10 ? [...cleaned.slice(dot)] : [];
  return `${chars.slice(0, MAX_FILE_NAME_LENGTH - 1 - extension.length).join('').trimEnd()}…${extension.join('')}`;
}
