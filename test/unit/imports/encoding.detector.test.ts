import { CsvTextDecoder, ENCODING_DECISION_BYTES, encodingFromBom, looksLikeUtf8 } from '../../../src/modules/imports/infrastructure/csv/encoding.detector.js';

function decode(bytes: Buffer, chunkSize = bytes.length || 1): { text: string; encoding: string | undefined } {
  const decoder = new CsvTextDecoder();
  let text = '';
  for (let i = 0; i < bytes.length; i += chunkSize) text += decoder.write(bytes.subarray(i, i + chunkSize));
  text += decoder.end();
  return { text, encoding: decoder.encoding };
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

  it('tells UTF-8 from bytes that are not, forgiving a sequence cut at the end of a window', () => {
    const e = Buffer.from('é', 'utf8');
    expect(looksLikeUtf8(Buffer.from('Renée Müller'), false)).toBe(true);
    expect(looksLikeUtf8(Buffer.from('Renée', 'latin1'), false)).toBe(false);
    expect(looksLikeUtf8(Buffer.concat([Buffer.from('Ren'), e.subarray(0, 1)]), true)).toBe(true);
    expect(looksLikeUtf8(Buffer.concat([Buffer.from('Ren'), e.subarray(0, 1)]), false)).toBe(false);
    expect(looksLikeUtf8(Buffer.from('€', 'utf8').subarray(0, 2), true)).toBe(true);
    expect(looksLikeUtf8(Buffer.from([0xed, 0xa0, 0x80]), false)).toBe(false);
  });

  const text = 'name,email\r\nRenée Müller,renee@example.com\r\nJosé Núñez,jose@example.com\r\n';

  it.each([
    ['UTF-8 with a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), 'utf-8'],
    ['UTF-8 without a BOM', Buffer.from(text), 'utf-8'],
    ['UTF-16 LE with a BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), 'utf-16le'],
    ['UTF-16 BE with a BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(text)]), 'utf-16be'],
    ['Windows-1252', Buffer.from(text, 'latin1'), 'windows-1252'],
  ])('decodes %s, whatever the chunk boundaries', (_, bytes, encoding) => {
    for (const size of [1, 2, 3, 4, 7, bytes.length]) expect(decode(bytes, size)).toEqual({ text, encoding });
  });

  it('decodes the Windows-1252 letters that differ from Latin-1', () => {
    expect(decode(Buffer.from([0x80, 0x20, 0x8a, 0x9a, 0x93, 0x94]))).toEqual({ text: '€ Šš“”', encoding: 'windows-1252' });
  });

  it('leaves a pure ASCII file undecided, as both read it the same', () => {
    expect(decode(Buffer.from('name,email\nann,ann@example.com\n'))).toEqual({ text: 'name,email\nann,ann@example.com\n', encoding: undefined });
  });

  it('decides on a window of bytes, not one sequence that happens to be valid UTF-8', () => {
    // "Ã©" in Windows-1252 is C3 A9, which is also UTF-8 for "é"; the lone E9 of "é" a little later settles it.
    const bytes = Buffer.from(`MÃ©lanie, ${'x'.repeat(100)} Renée\n`, 'latin1');
    expect(decode(bytes, 5)).toEqual({ text: `MÃ©lanie, ${'x'.repeat(100)} Renée\n`, encoding: 'windows-1252' });
  });

  it('holds the first non-ASCII bytes until the window is full, then keeps its decision', () => {
    const decoder = new CsvTextDecoder();
    expect(decoder.write(Buffer.from('ab'))).toBe('');
    expect(decoder.write(Buffer.from('cé', 'utf8'))).toBe('abc');
    expect(decoder.encoding).toBeUndefined();
    const filler = Buffer.alloc(ENCODING_DECISION_BYTES, 'x');
    expect(decoder.write(filler)).toBe(`é${filler.toString()}`);
    expect(decoder.encoding).toBe('utf-8');
    // Later bytes invalid in UTF-8 come out as U+FFFD, for the scanner to report.
    expect(decoder.write(Buffer.from('éx', 'latin1'))).toBe('\uFFFDx');
  });

  it('keeps a decision taken mid-file through the end of the file', () => {
    const bytes = Buffer.from(`Renée ${'x'.repeat(ENCODING_DECISION_BYTES)} Zoë`, 'latin1');
    expect(decode(bytes, 1000)).toEqual({ text: bytes.toString('latin1'), encoding: 'windows-1252' });
    const split = Buffer.from(`é${'x'.repeat(ENCODING_DECISION_BYTES)}€`, 'utf8');
    // The file ends on the first byte of "€": the decoder that decided must be the one that flushes it.
    expect(decode(split.subarray(0, split.length - 2), 4096)).toEqual({ text: `é${'x'.repeat(ENCODING_DECISION_BYTES)}\uFFFD`, encoding: 'utf-8' });
  });

  it('refuses text chunks: the source must deliver bytes', () => {
    expect(() => new CsvTextDecoder().write('text' as unknown as Uint8Array)).toThrow(TypeError);
  });
});
