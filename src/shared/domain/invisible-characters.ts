// Zero-width and formatting characters that copying from web pages and documents leaves in text: a value holding
// one looks right and is not.
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

/** Why a name or title holding one is refused, for the person who wrote it. */
export const directionControlProblem = (code: string): string =>
  `holds an invisible character that reverses the text around it (${code}), which can make it show as something else; remove it`;
