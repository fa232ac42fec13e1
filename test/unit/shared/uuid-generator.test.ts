import { UuidGenerator } from '../../../src/shared/infrastructure/system-clock.adapter.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The Unix milliseconds in a version 7 id: its first 48 bits. */
const millisOf = (id: string): number => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('UuidGenerator', () => {
  it('makes version 7 ids (RFC 9562 variant), all different, over many pool refills', () => {
    const ids = new UuidGenerator();
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const id = ids.newId();
      expect(id).toMatch(V7);
      seen.add(id);
    }
    expect(seen.size).toBe(100_000);
  });

  it('carries the time it was made, so ids sort by time across milliseconds', async () => {
    const ids = new UuidGenerator();
    const before = Date.now();
    const first = ids.newId();
    await new Promise((r) => setTimeout(r, 5));
    const second = ids.newId();
    const after = Date.now();
    expect(millisOf(first)).toBeGreaterThanOrEqual(before);
    expect(millisOf(second)).toBeLessThanOrEqual(after);
    expect(millisOf(second)).toBeGreaterThan(millisOf(first));
    expect(second > first).toBe(true);
  });

  it('the random part is spread: every hex digit shows up in every random position', () => {
    const ids = new UuidGenerator();
    const digits = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 5_000; i++) [...ids.newId()].forEach((c, at) => digits[at].add(c));
    // Positions 15 (version) and 19 (variant) are fixed or half fixed; the last 12 are all random.
    for (let at = 24; at < 36; at++) expect(digits[at].size).toBe(16);
    expect(digits[19]).toEqual(new Set(['8', '9', 'a', 'b']));
  });
});
