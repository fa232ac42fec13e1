/** How much decoded text, from the start, is looked at to tell a text file from a binary one. */
export const BINARY_SAMPLE_CHARS = 8 * 1024;

/**
 * A CSV is text: NUL and other control characters (or undecodable bytes) appear in one only by accident, a few at
 * most. Images, archives, spreadsheets in their native format and UTF-16 without a BOM all have several NULs, or
 * many control characters, in their first kilobytes. A stray one (an old DOS end-of-file mark, a NUL pasted into a
 * cell) is left to reject its own line; a short file is judged as if it were a kilobyte long, so that two of them in
 * three lines do not make it binary, unless they are a quarter of it.
 */
export function looksBinary(sample: string): boolean {
  let nuls = 0;
  let suspicious = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0 && ++nuls >= 2) return true;
    if ((c < 32 && c !== 9 && c !== 10 && c !== 12 && c !== 13) || c === 127 || c === 0xfffd) suspicious++;
  }
  return suspicious >= 2 && (suspicious * 100 > Math.max(sample.length, 1_000) || suspicious * 4 > sample.length);
}

/**
 * UTF-16 text without a byte-order mark, read as bytes: a NUL beside nearly every other character (the high byte of
 * Latin text), on the same side throughout. Telling it from binary lets the refusal say what to do.
 */
export function looksLikeBomlessUtf16(sample: string): boolean {
  const pairs = sample.length >> 1;
  if (pairs < 4) return false;
  let nulFirst = 0;
  let nulSecond = 0;
  for (let i = 0; i + 1 < sample.length; i += 2) {
    if (sample.charCodeAt(i) === 0 && sample.charCodeAt(i + 1) !== 0) nulFirst++;
    else if (sample.charCodeAt(i + 1) === 0 && sample.charCodeAt(i) !== 0) nulSecond++;
  }
  return Math.max(nulFirst, nulSecond) >= pairs * 0.9;
}

export type WorkbookFormat = 'excel' | 'opendocument' | 'word';

/**
 * A spreadsheet (or a Word document) uploaded in its own format instead of as CSV, by its file signature: a ZIP
 * holding an Office Open XML or OpenDocument file (their part names are stored uncompressed), or an Excel 97–2003
 * compound file.
 * The sample is text decoded byte for byte, so the signatures are compared as such.
 */
export function workbookFormat(sample: string): WorkbookFormat | undefined {
  if (sample.startsWith('PK\x03\x04')) {
    if (sample.includes('application/vnd.oasis.opendocument.spreadsheet')) return 'opendocument';
    // Office Open XML names its parts by application: word/ for a Word document, xl/ for a workbook, which is what
    // such a file uploaded here most likely is when its first parts do not say.
    if (sample.includes('word/')) return 'word';
    if (sample.includes('[Content_Types].xml') || sample.includes('xl/')) return 'excel';
    return undefined;
  }
  return sample.startsWith('\u00d0\u00cf\u0011\u00e0\u00a1\u00b1\u001a\u00e1') ? 'excel' : undefined;
}
