import { LineCounter } from '../../../src/modules/imports/infrastructure/persistence/line-counter.js';

/** The count for `bytes` arriving in pieces of `size` bytes. */
function count(bytes: Buffer, size: number): number {
  const counter = new LineCounter();
  for (let i = 0; i < bytes.length; i += size) counter.add(bytes.subarray(i, i + size));
  return counter.total();
}

const utf16be = (text: string): Buffer => Buffer.from(text, 'utf16le').swap16();
const SIZES = [1, 2, 3, 5, 7, 1000];

describe('LineCounter', () => {
  it.each([
    ['', 0],
    ['a', 1],
    ['a\n', 1],
    ['a\r\nb\r\n', 2],
    ['a\rb\rc', 3],
    ['a\r\n\r\nb', 3],
    ['a\r', 1],
    ['\r\n', 1],
  ])('counts %j as %i lines, CRLF once wherever a piece ends', (text, lines) => {
    for (const size of SIZES) expect([size, count(Buffer.from(text, 'utf8'), size)]).toEqual([size, lines]);
  });

  // 上 is 0A 4E in UTF-16 LE and 4E 0A in BE, č is 0D 01 and 01 0D, Ċ 0A 01, ഊ (Malayalam) 0A 0D / 0D 0A.
  const text = '\ufeffname,email,title\r\n上田 1,u1@example.com,部長\r\nčapek Ċ ഊ,u2@example.com,上\r\nLast,u3@example.com,x';
  it.each([
    ['UTF-16 LE', Buffer.from(text, 'utf16le')],
    ['UTF-16 BE', utf16be(text)],
  ])('counts the code units of %s, not the bytes 0A and 0D inside its characters', (_, bytes) => {
    for (const size of SIZES) expect([size, count(bytes, size)]).toEqual([size, 4]);
  });

  it('reads a file without a byte-order mark byte by byte, in UTF-8 as in Windows-1252', () => {
    expect(count(Buffer.from('name\n上田\r\n', 'utf8'), 1)).toBe(2);
    expect(count(Buffer.from('é\rü\r\n', 'latin1'), 1)).toBe(2);
  });
});
