// Zero-width and formatting characters that copying from web pages and documents leaves in text: a value holding
// one looks right and is not. U+00AD is the lowest.
const INVISIBLE = /[\u00AD\u200B-\u200F\u2060-\u2064\uFEFF]/;
const EVERY_INVISIBLE = new RegExp(INVISIBLE.source, 'g');

/** The first invisible character in the text as "U+200B", or undefined. */
export function firstInvisibleCharacter(text: string): string | undefined {
  const found = INVISIBLE.exec(text);
  return found === null ? undefined : codePoint(found[0]);
}

const codePoint = (c: string): string => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

export function withoutInvisibleCharacters(text: string): string {
  return text.replace(EVERY_INVISIBLE, '');
}

/**
 * True when the text is nothing but invisible characters (and blanks): blank as the admin sees it. Its first
 * character decides at once for almost every value, which matters on the import's hundreds of thousands of cells.
 */
export function isOnlyInvisible(text: string): boolean {
  return text.charCodeAt(0) >= 0xad && INVISIBLE.test(text.charAt(0)) && withoutInvisibleCharacters(text).trim() === '';
}

// Explicit direction embeddings, overrides and isolates: invisible, they reorder the text around them, so a name
// holding one can show as another (the "Trojan Source" trick). Names in right-to-left scripts do not need them.
const DIRECTION_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
const EVERY_DIRECTION_CONTROL = new RegExp(DIRECTION_CONTROL.source, 'g');

/** The first direction control character in the text as "U+202E", or undefined. */
export function firstDirectionControl(text: string): string | undefined {
  const found = DIRECTION_CONTROL.exec(text);
  return found === null ? undefined : codePoint(found[0]);
}

export function withoutDirectionControls(text: string): string {
  return text.replace(EVERY_DIRECTION_CONTROL, '');
}

/**
 * The text without invisible characters or direction controls: for a value that is read rather than kept as written
 * (a mobile stored in E.164, TRUE/FALSE, a manager's e-mail looked up), and for a file name made safe to show.
 */
export function withoutHiddenCharacters(text: string): string {
  return withoutDirectionControls(withoutInvisibleCharacters(text));
}

/** Why a name or title holding one is refused, for the person who wrote it. */
export const directionControlProblem = (code: string): string =>
  `holds an invisible character that reverses the text around it (${code}), which can make it show as something else; remove it`;
