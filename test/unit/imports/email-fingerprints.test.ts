import murmurHash3 from 'murmurhash3js-revisited';
import { EmailFingerprints, murmur3x86x128Utf16 } from '../../../src/modules/imports/application/process-import/email-fingerprints.js';

/** The reference implementation's 128 bits of the string's UTF-16LE bytes, as four little-endian 32-bit words. */
function reference(text: string): number[] {
  const hex = murmurHash3.x86.hash128(new Uint8Array(Buffer.from(text, 'utf16le')), 0);
  return [0, 1, 2, 3].map((i) => parseInt(hex.slice(8 * i, 8 * i + 8), 16));
}

describe('murmur3x86x128Utf16', () => {
  it('matches the reference implementation on the UTF-16LE bytes, for every tail length and non-Latin text', () => {
    const out = new Uint32Array(4);
    const texts = ['', 'a', 'ab', 'user1@acme.example', 'ÅSA.ÖBERG@EXAMPLE.SE', 'пользователь@пример.рф', '用户@例子.广告', '😀@emoji.example'];
    for (let n = 0; n <= 40; n++) texts.push('x'.repeat(n), `${n}@acme.example`.padEnd(n, 'z'));
    for (const text of texts) {
      murmur3x86x128Utf16(text, out);
      expect([...out]).toEqual(reference(text));
    }
  });
});

describe('EmailFingerprints', () => {
  it('gives the line a key was first seen on, through the table growing many times; 0 for a new key', () => {
    const seen = new EmailFingerprints();
    const keys = Array.from({ length: 300_000 }, (_, i) => `user${i}@acme.example`);
    // The keys whose answer is wrong (one expect per key would take jest half a minute).
    expect(keys.filter((key, i) => seen.add(key, i + 2) !== 0)).toEqual([]);
    expect(keys.filter((key, i) => seen.add(key, 400_000 + i) !== i + 2)).toEqual([]);
  });

  it('sized for the keys expected (a table of any size, not a power of two): holds them, then grows past them', () => {
    const seen = new EmailFingerprints(70_000);
    const keys = Array.from({ length: 150_000 }, (_, i) => `person.${i}@globex.example`);
    expect(keys.filter((key, i) => seen.add(key, i + 2) !== 0)).toEqual([]);
    expect(keys.filter((key, i) => seen.add(key, 200_000 + i) !== i + 2)).toEqual([]);
    expect(seen.add('someone.else@globex.example', 400_000)).toBe(0);
  });

  it('keys differing in one character, or only in case, are different keys', () => {
    const seen = new EmailFingerprints();
    expect(seen.add('a@b.example', 2)).toBe(0);
    expect(seen.add('A@b.example', 3)).toBe(0);
    expect(seen.add('a@b.examplf', 4)).toBe(0);
    expect(seen.add('', 5)).toBe(0);
    expect(seen.add('', 6)).toBe(5);
    expect(seen.add('a@b.example', 7)).toBe(2);
  });

  it('holding maxKeys keys, answers FULL for a new key and does not keep it, and still finds every key it holds', () => {
    const seen = new EmailFingerprints(1_000_000, 100_000);
    const keys = Array.from({ length: 100_000 }, (_, i) => `held.${i}@acme.example`);
    expect(keys.filter((key, i) => seen.add(key, i + 2) !== 0)).toEqual([]);
    expect(seen.add('one.more@acme.example', 200_000)).toBe(EmailFingerprints.FULL);
    expect(seen.add('one.more@acme.example', 200_001)).toBe(EmailFingerprints.FULL);
    expect(keys.filter((key, i) => seen.add(key, 300_000 + i) !== i + 2)).toEqual([]);
  });

  it('grows up to maxKeys when it was sized for fewer', () => {
    const seen = new EmailFingerprints(10, 80_000);
    const keys = Array.from({ length: 80_001 }, (_, i) => `k${i}@acme.example`);
    expect(keys.map((key, i) => seen.add(key, i + 2)).filter((answer) => answer !== 0)).toEqual([EmailFingerprints.FULL]);
    expect(seen.add('k79999@acme.example', 90_000)).toBe(80_001);
  });
});
