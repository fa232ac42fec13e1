import type { CsvDelimiter } from '../../domain/csv-record.js';

const CANDIDATES: readonly CsvDelimiter[] = [',', ';', '\t'];

/**
 * The delimiter is the candidate that splits the header line into the most fields outside quotes (straight or
 * typographic, as the scanner accepts both). Ties, including a one-column header, go to the comma, then the
 * semicolon.
 */
export function detectDelimiter(headerLine: string): CsvDelimiter {
  const counts = [0, 0, 0];
  let quoted = false;
  for (let i = 0; i < headerLine.length; i++) {
    const c = headerLine.charCodeAt(i);
    if (c === 34 || isTypographicQuote(c)) quoted = !quoted;
    else if (!quoted) {
      if (c === 44) counts[0]++;
      else if (c === 59) counts[1]++;
      else if (c === 9) counts[2]++;
    }
  }
  let best = 0;
  for (let i = 1; i < counts.length; i++) if (counts[i] > counts[best]) best = i;
  return CANDIDATES[best];
}

/** “ ” „ ‟ ″ ‶: what word processors and web pages put where a CSV wants a straight double quote. */
export function isTypographicQuote(c: number): boolean {
  return c === 0x201c || c === 0x201d || c === 0x201e || c === 0x201f || c === 0x2033 || c === 0x2036;
}
