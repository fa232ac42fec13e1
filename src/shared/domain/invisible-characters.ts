// Zero-width and formatting characters that copying from web pages and documents leaves in text: a value holding
// one looks right and is not.
const INVISIBLE = /[\u00AD\u200B-\u200F\u2060-\u2064\uFEFF]/;
const EVERY_INVISIBLE = new RegExp(INVISIBLE.source, 'g');

/** The first invisible character in the text as "U+200B", or undefined. */
export function firstInvisibleCharacter(text: string): string | undefined {
  const found = INVISIBLE.exec(text);
  return found === null ? undefined : `U+${found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

export function withoutInvisibleCharacters(text: string): string {
  return text.replace(EVERY_INVISIBLE, '');
}
