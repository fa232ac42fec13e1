import { looksBinary, workbookFormat } from '../../../src/modules/imports/infrastructure/csv/binary-content.detector.js';
import { detectDelimiter } from '../../../src/modules/imports/infrastructure/csv/delimiter.detector.js';

describe('detectDelimiter', () => {
  it.each([
    ['"name","email/login","title"', ','],
    ['name;email;title', ';'],
    ['name\temail\ttitle', '\t'],
    ['"last, first";"email";"title"', ';'],
    ['“name”,”email/login”,”Enabled”', ','],
    ['"a;b;c;d",email', ','],
    ['email', ','],
    ['name;email,title', ','],
    ['name\temail;title', ';'],
  ])('finds the delimiter of %j: %j', (header, delimiter) => {
    expect(detectDelimiter(header)).toBe(delimiter);
  });
});

describe('looksBinary', () => {
  it.each([
    ['a CSV', 'name,email\nann,ann@example.com\n', false],
    ['a CSV with tabs, CRLF and a form feed', 'name\temail\r\n\f\r\n', false],
    ['a CSV ending with a DOS end-of-file mark', 'name,email\nann,ann@example.com\n\x1a', false],
    ['two NULs anywhere', `name,email\n${'x'.repeat(5000)}\u0000\u0000`, true],
    ['one NUL pasted into a cell', 'name,email\nann\u0000,ann@example.com\n', false],
    ['two stray controls in a short file', 'name,email\nann\x07,ann@example.com\nbob\x07,bob@example.com\n', false],
    ['a short file of control characters', '\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11', true],
    ['many control characters', 'PK\x03\x04\x14\x00\x06\x00\x08', true],
    ['undecodable bytes everywhere', '\uFFFD\uFFFDa\uFFFDb\uFFFD', true],
    ['two stray controls in a long text', `${'x'.repeat(1000)}\x01\x02`, false],
  ])('%s → %s', (_, sample, binary) => {
    expect(looksBinary(sample)).toBe(binary);
  });
});

describe('workbookFormat', () => {
  const latin1 = (bytes: number[]): string => Buffer.from(bytes).toString('latin1');
  it.each([
    ['an .xlsx (its first part)', `PK\x03\x04\x14\x00\x06\x00[Content_Types].xml`, 'excel'],
    ['an .xlsx whose workbook part comes first', `PK\x03\x04\x14\x00xl/workbook.xml`, 'excel'],
    ['an .xls (a compound file)', latin1([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'excel'],
    ['an .ods', `PK\x03\x04\x0a\x00mimetypeapplication/vnd.oasis.opendocument.spreadsheet`, 'opendocument'],
    ['an .odt (a text document)', `PK\x03\x04\x0a\x00mimetypeapplication/vnd.oasis.opendocument.text`, undefined],
    ['any other ZIP', `PK\x03\x04\x14\x00users.csv`, undefined],
    ['a CSV naming a workbook', 'name,file\nann,[Content_Types].xml\n', undefined],
  ])('%s → %s', (_, sample, format) => {
    expect(workbookFormat(sample)).toBe(format);
  });
});
