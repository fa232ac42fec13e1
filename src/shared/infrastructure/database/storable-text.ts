// PostgreSQL text holds neither NUL nor half of a UTF-16 surrogate pair (JSON's \u0000 or a lone \ud83d fails the whole
// statement), and a string cut short or read from a damaged file can carry either.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text with what PostgreSQL cannot store replaced by U+FFFD, the replacement character. */
export function storableText(text: string): string {
  UNSTORABLE.lastIndex = 0;
  return UNSTORABLE.test(text) ? text.replace(UNSTORABLE, '\uFFFD') : text;
}

/** JSON.stringify's replacer making every string of a document storable. */
export function storableJson(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? storableText(value) : value;
}
