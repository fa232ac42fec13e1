import { SeenEmailKeys } from '../../../src/modules/imports/application/process-import/seen-email-keys.js';

describe('SeenEmailKeys', () => {
  it('reports every key added before, through the table growing many times', () => {
    const seen = new SeenEmailKeys();
    const keys = Array.from({ length: 300_000 }, (_, i) => `user${i}@acme.example`);
    let firstTimeSeen = 0;
    for (const key of keys) if (seen.add(key)) firstTimeSeen += 1;
    for (const key of keys) expect(seen.add(key)).toBe(true);
    // Distinct keys taken for repeats: only hash collisions, a few in 300,000 with 32-bit hashes.
    expect(firstTimeSeen).toBeLessThan(100);
  });

  it('the empty key and keys hashing alike are still keys', () => {
    const seen = new SeenEmailKeys();
    expect(seen.add('')).toBe(false);
    expect(seen.add('')).toBe(true);
    expect(seen.add('a@b.example')).toBe(false);
    expect(seen.add('A@b.example')).toBe(false);
  });
});
