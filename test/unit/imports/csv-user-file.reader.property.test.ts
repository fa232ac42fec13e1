import type { CsvReadItem } from '../../../src/modules/imports/domain/csv-record.js';
import { chunked, readAll, readOutcome } from './support/import-file.js';

/**
 * Random well-formed files, written the way spreadsheets write them (a field is quoted when it must be, quotes
 * doubled inside), in random encodings, line endings and chunk sizes: the reader must give back exactly the
 * fields and line numbers written, and no problem. A seeded generator, so a failure names a file to replay;
 * CSV_PROPERTY_SEEDS=5000 runs more of them (3,000 of each kind passed when this was written).
 */

/** mulberry32: small, seedable, good enough to pick test cases. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Encoding = 'utf-8' | 'utf-8 with BOM' | 'utf-16le with BOM' | 'windows-1252 and utf-8 lines';

interface Case {
  readonly bytes: Buffer;
  readonly chunkSize: number;
  readonly expected: CsvReadItem[];
  readonly description: string;
}

const DELIMITERS = [',', ';', '\t'] as const;
const TYPOGRAPHIC_QUOTES = ['“', '”', '„', '‟', '″', '‶'];
// The ones Windows-1252 has.
const WINDOWS_1252_QUOTES = ['“', '”', '„'];
const BREAKS = ['\n', '\r\n', '\r'];
// Characters Windows-1252 has, whose bytes there are never valid UTF-8 (no accented capital before a symbol).
const LATIN = ['é', 'ü', 'ñ', 'ç', 'ø', '’', '€', '“', '”'];
// The ones random text in Windows-1252 is made of: a symbol or a quote glued between two letters ("ç“x") is what
// Mac Roman read as Windows-1252 looks like, and the decoder reads such a line as Mac Roman (encoding.detector.ts).
const WINDOWS_1252_LETTERS = ['é', 'ü', 'ñ', 'ç', 'ø', '’'];
// Only in Unicode encodings.
const WIDE = ['😀', '″', 'ž', 'Ω', '中'];

function makeCase(seed: number): Case {
  const random = generator(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const encoding = pick<Encoding>(['utf-8', 'utf-8 with BOM', 'utf-16le with BOM', 'windows-1252 and utf-8 lines']);
  const delimiter = pick(DELIMITERS);
  const lineBreak = pick(BREAKS);
  const columns = 2 + Math.floor(random() * 6);
  const alphabet = encoding === 'windows-1252 and utf-8 lines' ? WINDOWS_1252_LETTERS : [...LATIN, ...WIDE];
  const quotes = encoding === 'windows-1252 and utf-8 lines' ? WINDOWS_1252_QUOTES : TYPOGRAPHIC_QUOTES;

  const value = (first: boolean): string => {
    const kind = random();
    if (first) return `u${Math.floor(random() * 1e6)}${random() < 0.3 ? pick(alphabet) : ''}`;
    if (kind < 0.15) return '';
    if (kind < 0.35) return `w${Math.floor(random() * 1000)}`;
    if (kind < 0.5) return `a${delimiter}b${pick([',', ';', '\t'])}c`;
    if (kind < 0.6) return `say "hi"${random() < 0.5 ? ' "twice"' : ''}`;
    // A line break inside a value, and no delimiter: a value spanning lines with as many delimiters as a record
    // is taken for a stray quote, by design.
    if (kind < 0.7) return `line one${pick(BREAKS)}line two`;
    if (kind < 0.8) return `  padded ${pick(alphabet)}  `;
    if (kind < 0.9) return `${pick(alphabet)}${pick(alphabet)}x${pick(alphabet)}`;
    return `"quoted" “typo” ${pick(alphabet)}`;
  };
  // Quoted when it must be: a delimiter, a quote of either kind, a line break or blanks at its edges. Some
  // files quote as the guide's sample does, with typographic quotes and blanks around them, where a value allows.
  const typographic = random() < 0.3;
  const mustQuote = (v: string) => /["“”„‟″‶\r\n,;\t]/.test(v) || v !== v.trim();
  const blanks = () => (random() < 0.2 ? ' '.repeat(1 + Math.floor(random() * 2)) : '');
  const cell = (v: string) => {
    if (typographic && !/[“”„‟″‶\r\n]|""/.test(v) && random() < 0.8) return `${blanks()}${pick(quotes)}${v}${pick(quotes)}${blanks()}`;
    if (mustQuote(v) || random() < 0.2) return `${blanks()}"${v.replaceAll('"', '""')}"${blanks()}`;
    return v;
  };

  const header = Array.from({ length: columns }, (_, i) => `h${i}`);
  const physical: string[] = [header.map(cell).join(delimiter)];
  const expected: CsvReadItem[] = [{ kind: 'header', line: 1, fields: header, delimiter }];
  let line = 2;
  const records = 1 + Math.floor(random() * 25);
  for (let r = 0; r < records; r++) {
    while (random() < 0.1) {
      physical.push(pick(['', '  ', '\t']).replace('\t', delimiter === '\t' ? ' ' : '\t'));
      line++;
    }
    const fields = Array.from({ length: columns }, (_, i) => value(i === 0));
    const text = fields.map(cell).join(delimiter);
    expected.push({ kind: 'record', line, fields });
    line += 1 + (text.match(/\r\n|\r|\n/g)?.length ?? 0);
    physical.push(text);
  }
  const finalBreak = random() < 0.8;
  const texts = physical.map((l, i) => (i < physical.length - 1 || finalBreak ? l + lineBreak : l));

  let bytes: Buffer;
  switch (encoding) {
    case 'utf-8':
      bytes = Buffer.from(texts.join(''));
      break;
    case 'utf-8 with BOM':
      bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(texts.join(''))]);
      break;
    case 'utf-16le with BOM':
      bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(texts.join(''), 'utf16le')]);
      break;
    case 'windows-1252 and utf-8 lines':
      // Each physical line in one or the other; a value's line break splits it between them.
      bytes = Buffer.concat(texts.join('').split(/(?<=\r\n|\r(?!\n)|\n)/).map((l) => (random() < 0.5 ? Buffer.from(l) : windows1252(l))));
      break;
  }
  const chunkSize = pick([1, 2, 3, 7, 64, 1000, 64 * 1024]);
  return { bytes, chunkSize, expected, description: `seed ${seed}: ${encoding}, ${typographic ? 'typographic quotes, ' : ''}${JSON.stringify(delimiter)}, ${JSON.stringify(lineBreak)}, chunks of ${chunkSize}` };
}

const WINDOWS_1252: Record<string, number> = { '€': 0x80, '„': 0x84, '’': 0x92, '“': 0x93, '”': 0x94 };

function windows1252(text: string): Buffer {
  return Buffer.from([...text].map((c) => WINDOWS_1252[c] ?? c.charCodeAt(0)));
}

describe('readCsvUserFile on random well-formed files', () => {
  const seeds = Array.from({ length: Number(process.env.CSV_PROPERTY_SEEDS ?? 300) }, (_, i) => i + 1);

  it.each(seeds)('seed %i reads back exactly what was written', async (seed) => {
    const { bytes, chunkSize, expected, description } = makeCase(seed);
    const items = await readAll(chunked(bytes, chunkSize));
    expect({ description, items }).toEqual({ description, items: expected });
  });
});

/** Random text from what CSV files are made of, quotes of both kinds unbalanced and in the wrong places. */
function garbage(seed: number): { bytes: Buffer; chunkSize: number } {
  const random = generator(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const pieces = ['a', 'b@c.de', ' ', '"', '""', '“', '”', '″', ',', ';', '\t', '\n', '\r\n', '\r', 'é', '😀', ',,'];
  const header = pick(['name,email', '"name";"email"', '“name”, “email”', 'email', '']);
  let text = header + pick(['\n', '\r\n', '']);
  const length = Math.floor(random() * 300);
  for (let i = 0; i < length; i++) text += pick(pieces);
  const bytes = random() < 0.5 ? Buffer.from(text) : Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  return { bytes, chunkSize: pick([1, 2, 5, 64, 64 * 1024]) };
}

describe('readCsvUserFile on random malformed files', () => {
  const seeds = Array.from({ length: Number(process.env.CSV_PROPERTY_SEEDS ?? 300) }, (_, i) => i + 1);

  it.each(seeds)('seed %i: items in line order, or a refusal, never another error', async (seed) => {
    const { bytes, chunkSize } = garbage(seed);
    const { items, refusal } = await readOutcome(chunked(bytes, chunkSize));
    const lines = items.map((i) => i.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(new Set(lines).size).toBe(lines.length);
    if (refusal === undefined) expect(items[0]?.kind ?? 'header').toBe('header');
    // The same file read whole gives the same outcome.
    expect(await readOutcome(chunked(bytes, bytes.length || 1))).toEqual({ items, refusal });
  });
});
