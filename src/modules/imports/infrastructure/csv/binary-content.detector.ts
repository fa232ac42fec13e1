/** How much decoded text, from the start, is looked at to tell a text file from a binary one. */
export const BINARY_SAMPLE_CHARS = 8 * 1024;

/**
 * A CSV is text: a NUL character never appears in one, and other control characters (or undecodable bytes)
 * only by accident. Images, archives, spreadsheets in their native format and UTF-16 without a BOM all have
 * NULs or many control characters in their first kilobytes. One stray control character (an old DOS
 * end-of-file mark, say) is tolerated.
 */
export function looksBinary(sample: string): boolean {
  let suspicious = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0) return true;
    if ((c < 32 && c !== 9 && c !== 10 && c !== 12 && c !== 13) || c === 127 || c === 0xfffd) suspicious++;
  }
  return suspicious >= 2 && suspicious * 100 > sample.length;
}
