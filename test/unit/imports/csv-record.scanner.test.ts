import { readFileSync } from 'node:fs';
import type { CsvRecordProblem } from '../../../src/modules/imports/domain/csv-record.js';
import { CsvRecordScanner } from '../../../src/modules/imports/infrastructure/csv/csv-record.scanner.js';
import { fixturePath } from './support/import-file.js';

/** What csv-parser is handed, and the ledger, for `text` written in chunks of `size` characters. */
function scan(text: string, size = text.length, maxRowBytes = 64 * 1024): { output: string; ledger: Array<number | CsvRecordProblem> } {
  const scanner = new CsvRecordScanner({ maxRowBytes });
  let output = '';
  for (let i = 0; i < text.length; i += size) {
    scanner.write(text.slice(i, i + size));
    output += scanner.takeOutput();
  }
  scanner.end();
  output += scanner.takeOutput();
  const ledger: Array<number | CsvRecordProblem> = [];
  for (let entry = scanner.ledger.shift(); entry !== undefined; entry = scanner.ledger.shift()) ledger.push(entry);
  return { output, ledger };
}

describe('CsvRecordScanner', () => {
  it("hands csv-parser the guide's typographic sample as its straight-quoted version", () => {
    const typographic = readFileSync(fixturePath('guide-sample-typographic.csv'), 'utf8');
    const straight = readFileSync(fixturePath('guide-sample-typographic-straightened.csv'), 'utf8');
    for (const size of [1, 2, 10, typographic.length]) expect(scan(typographic, size)).toEqual({ output: straight, ledger: [1, 2, 3] });
  });

  it('passes clean records through untouched, each ending in LF', () => {
    expect(scan('name,email\r\n"Ann","a@example.com"\rBob,b@example.com')).toEqual({
      output: 'name,email\n"Ann","a@example.com"\nBob,b@example.com\n',
      ledger: [1, 2, 3],
    });
  });

  it('drops blank lines but counts them', () => {
    expect(scan('\n\nname,email\n\n  \n\r\nAnn,a@example.com\n\n')).toEqual({ output: 'name,email\nAnn,a@example.com\n', ledger: [3, 7] });
  });

  it('drops blanks around quotes at field boundaries only', () => {
    expect(scan('"a" , "b"\n x , "y z" \n').output).toBe('"a","b"\n x ,"y z"\n');
  });

  it.each([
    ['"Bob" Smith,x\n', '"Bob Smith",x\n'],
    ['x,"Head" of "IT"\n', 'x,"Head of ""IT"""\n'],
    ['"Bob" "Jr" Smith,x\n', '"Bob ""Jr"" Smith",x\n'],
    ['“Chief” Officer,x\n', '“Chief” Officer,x\n'],
    ['„Jürgen“ Müller,“x”\n', '„Jürgen“ Müller,"x"\n'],
    ['"Smith, Bob" Jr,x\n', '"Smith, Bob Jr",x\n'],
    ['x,"a,b" c\n', 'x,"a,b c"\n'],
  ])('reads a value that starts with a quoted word, %j, as Excel does: the quoted text, then the rest', (line, expected) => {
    for (const size of [1, 3, 100]) expect(scan(`a,b\n${line}`, size)).toEqual({ output: `a,b\n${expected}`, ledger: [1, 2] });
  });

  it('reads a line of typographic quotes and delimiters again a few times at most, then reports it as unclosed', () => {
    // 60 KB: a reading per quote would scan it 12,000 times.
    const line = '“a,'.repeat(12_000);
    expect(scan(`a,b\n${line}\nx,y\n`).ledger).toEqual([
      1,
      { line: 2, code: 'unclosed-quote', error: `line 2: a quote is opened but never closed; the line reads: ${line.slice(0, 60)}…` },
      3,
    ]);
  });

  it('reads a line of exactly maxRowBytes bytes, its line break aside, and rejects one byte more', () => {
    for (const lineBreak of ['\n', '\r\n', '\r']) {
      const exact = `${'é'.repeat(24)}${'x'.repeat(52)}`;
      expect(Buffer.byteLength(exact)).toBe(100);
      const { ledger } = scan(`a${lineBreak}${exact}${lineBreak}${exact}y${lineBreak}z${lineBreak}`, 7, 100);
      expect(ledger).toEqual([1, 2, { line: 3, code: 'line-too-long', error: 'line 3 is longer than 100 bytes' }, 4]);
    }
  });

  it('doubles a straight quote inside a typographic-quoted value', () => {
    expect(scan('“a”,“b”\n“say "hi"”,“x”\n').output).toBe('"a","b"\n"say ""hi""","x"\n');
  });

  it('records problems in file order between the lines it passes on', () => {
    const { ledger } = scan('a,b\n1,2\n"3,4\n5,6\n7,8\n', 3);
    expect(ledger).toEqual([1, 2, { line: 3, code: 'unclosed-quote', error: 'line 3: a quote is opened but never closed; the line reads: "3,4' }, 4, 5]);
  });

  it('quotes a line it cannot split with its control characters (a NUL) shown as U+FFFD, never half an emoji', () => {
    const { ledger } = scan(`a,b\n"x\u0000${'y'.repeat(56)}😀z,w\n1,2\n`, 3);
    expect(ledger[1]).toEqual({ line: 2, code: 'unclosed-quote', error: `line 2: a quote is opened but never closed; the line reads: "x\uFFFD${'y'.repeat(56)}…` });
  });

  it('quotes the first 60 characters of a line it cannot split, so the admin can find it', () => {
    const long = `"${'x'.repeat(70)},y`;
    const { ledger } = scan(`a,b\n${long}\n1,2\n`, 3);
    expect(ledger).toEqual([1, { line: 2, code: 'unclosed-quote', error: `line 2: a quote is opened but never closed; the line reads: ${long.slice(0, 60)}…` }, 3]);
  });
});
