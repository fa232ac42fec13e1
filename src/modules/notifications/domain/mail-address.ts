// Conservative on purpose: anything a mail library could read as several recipients, a display name or a
// header break (comma, semicolon, angle brackets, quotes, whitespace) is refused rather than interpreted.
const SINGLE_ADDRESS = /^[^\s@,;:<>"()[\]\\]+@[^\s@,;:<>"()[\]\\]+\.[^\s@,;:<>"()[\]\\]+$/;

/** The one recipient an address stands for, or null when it could not safely be mailed. */
export function singleRecipient(raw: string | undefined): string | null {
  const address = raw?.trim() ?? '';
  if (address.length === 0 || address.length > 320) return null;
  return SINGLE_ADDRESS.test(address) ? address : null;
}
