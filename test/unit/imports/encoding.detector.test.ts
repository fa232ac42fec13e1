import iconv from 'iconv-lite';
import { CsvTextDecoder, LINE_PIECE_BYTES, encodingFromBom } from '../../../src/modules/imports/infrastructure/csv/encoding.detector.js';

function decode(bytes: Buffer, chunkSize = bytes.length || 1): string {
  const decoder = new CsvTextDecoder();
  let text = '';
  for (let i = 0; i < bytes.length; i += chunkSize) text += decoder.write(bytes.subarray(i, i + chunkSize));
  return text + decoder.end();
}

const utf16be = (text: string): Buffer => Buffer.from(Buffer.from(text, 'utf16le').map((_, i, b) => (i % 2 === 0 ? b[i + 1] : b[i - 1])));

describe('encoding detection', () => {
  it.each([
    [[0xef, 0xbb, 0xbf, 0x41], { encoding: 'utf-8', bomLength: 3 }],
    [[0xff, 0xfe, 0x41, 0x00], { encoding: 'utf-16le', bomLength: 2 }],
    [[0xfe, 0xff, 0x00, 0x41], { encoding: 'utf-16be', bomLength: 2 }],
    [[0x41, 0x42, 0x43], undefined],
    [[0xef, 0xbb], undefined],
  ])('reads the BOM of %j', (bytes, expected) => {
    expect(encodingFromBom(Uint8Array.from(bytes))).toEqual(expected);
  });

  const text = 'name,email\r\nRenée Müller,renee@example.com\r\nJosé Núñez,jose@example.com\r\n';

  it.each([
    ['UTF-8 with a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])],
    ['UTF-8 without a BOM', Buffer.from(text)],
    ['UTF-16 LE with a BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
    ['UTF-16 BE with a BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(text)])],
    ['Windows-1252', Buffer.from(text, 'latin1')],
  ])('decodes %s, whatever the chunk boundaries', (_, bytes) => {
    for (const size of [1, 2, 3, 4, 7, bytes.length]) expect(decode(bytes, size)).toBe(text);
  });

  it('decodes the Windows-1252 letters that differ from Latin-1', () => {
    expect(decode(Buffer.from([0x80, 0x20, 0x8a, 0x9a, 0x93, 0x94]))).toBe('€ Šš“”');
  });

  it('reads each line of a file without a BOM as UTF-8 when it is, as Windows-1252 when it is not', () => {
    const utf8 = Buffer.from('Renée Müller\r\nZoë\n', 'utf8');
    const windows1252 = Buffer.from('José Núñez\r\nAnn\rÉlodie\n', 'latin1');
    const mixed = Buffer.concat([utf8, windows1252, utf8]);
    const expected = 'Renée Müller\r\nZoë\nJosé Núñez\r\nAnn\rÉlodie\nRenée Müller\r\nZoë\n';
    for (const size of [1, 2, 3, 5, 16, mixed.length]) expect(decode(mixed, size)).toBe(expected);
    expect(decode(Buffer.concat([windows1252, utf8]), 4)).toBe('José Núñez\r\nAnn\rÉlodie\nRenée Müller\r\nZoë\n');
  });

  // Names whose accents read as letters in both one-byte encodings, and names that tell them apart.
  const names = [
    'Renée Müller', 'José Núñez', 'Jörg Öberg', 'Søren Ågren', 'Æsa Straße', 'Chloé Zoë', 'Björn Gonçalves', 'Martín Peña',
    'Françoise Lefèvre', 'Ángel Ibáñez', 'Dvořák', 'Íñigo Âne', 'Ünal Gül', 'Bjørn Ødegård', 'Noël Aïssa', 'Ève Côté',
  ];

  it("reads Excel for Mac's Mac Roman lines as Mac Roman, keeping it for lines that read plausibly in Windows-1252 too", () => {
    const text = `name,email\r${names.filter((n) => n !== 'Dvořák').map((n, i) => `${n},u${i}@example.com\r`).join('')}Jörg Öberg,last@example.com\r`;
    const bytes = iconv.encode(text, 'macintosh');
    for (const size of [1, 7, 64, bytes.length]) expect(decode(bytes, size)).toBe(text);
  });

  it("reads Excel's \"CSV (MS-DOS)\" lines, code page 850, as such, keeping it for lines that read plausibly in the others too", () => {
    const text = `name,email\r\n${names.filter((n) => n !== 'Dvořák').map((n, i) => `${n},u${i}@example.com\r\n`).join('')}Développeur,last@example.com\r\n`;
    const bytes = iconv.encode(text, 'cp850');
    for (const size of [1, 7, 64, bytes.length]) expect(decode(bytes, size)).toBe(text);
  });

  it('never takes a Windows-1252 file for Mac Roman or code page 850: accents, apostrophes, typographic quotes and dashes', () => {
    const text = `${names.filter((n) => n !== 'Dvořák').join(',')}\r\nO’Brien,“Director”,Jean–Paul — Sales,sales–marketing,€100 ‘a’\r\nš,Š,Œuvre,œuf\r\n`;
    const bytes = iconv.encode(text, 'windows-1252');
    for (const size of [1, 7, bytes.length]) expect(decode(bytes, size)).toBe(text);
  });

  it('goes back to Windows-1252 when a later line reads right only there', () => {
    const bytes = Buffer.concat([iconv.encode('José Núñez\n', 'macintosh'), iconv.encode('Renée Müller\n', 'windows-1252')]);
    expect(decode(bytes)).toBe('José Núñez\nRenée Müller\n');
  });

  it('reads a line as a whole: one lone high byte makes the entire line Windows-1252', () => {
    // "Ã©" in Windows-1252 is C3 A9, which is also UTF-8 for "é"; the lone E9 of "é" on its line settles it.
    const line = `MÃ©lanie, ${'x'.repeat(100)} Renée\n`;
    expect(decode(Buffer.from(line, 'latin1'), 5)).toBe(line);
  });

  it('decodes a line longer than a piece without holding it whole, never splitting a character', () => {
    const long = `${'é'.repeat(LINE_PIECE_BYTES)}\nZoë\n`;
    expect(decode(Buffer.from(long, 'utf8'), 1000)).toBe(long);
    const decoder = new CsvTextDecoder();
    decoder.write(Buffer.from('name\n'));
    expect(decoder.write(Buffer.alloc(LINE_PIECE_BYTES, 'x'))).toBe('');
    expect(decoder.write(Buffer.from('xy'))).toBe(`${'x'.repeat(LINE_PIECE_BYTES + 1)}y`);
  });

  it("keeps a BOM's encoding for the whole file: bytes invalid in it come out as U+FFFD, for the scanner to report", () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Renée\n'), Buffer.from('José\n', 'latin1')]);
    expect(decode(bytes, 3)).toBe('Renée\nJos\uFFFD\n');
  });

  it('reads a file shorter than a BOM', () => {
    expect(decode(Buffer.from('a'))).toBe('a');
    expect(decode(Buffer.from([0xe9]))).toBe('é');
    expect(decode(Buffer.from([0xff, 0xfe]))).toBe('');
  });

  it('refuses text chunks: the source must deliver bytes', () => {
    expect(() => new CsvTextDecoder().write('text' as unknown as Uint8Array)).toThrow(TypeError);
  });
});
