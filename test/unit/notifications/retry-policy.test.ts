import { afterFailedAttempt, DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from '../../../src/modules/notifications/domain/retry-policy.js';

const policy: RetryPolicy = { baseDelayMs: 1_000, maxDelayMs: 10_000, maxAttempts: 6 };
const now = new Date('2026-11-25T08:00:00.000Z');

describe('mail retry policy', () => {
  it('doubles the wait after each failure, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 50, 5_000].map((n) => retryDelayMs(policy, n))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000, 10_000,
    ]);
  });

  it('keeps the mail pending with the next attempt in the future until the last allowed attempt', () => {
    expect(afterFailedAttempt(policy, 3, now)).toEqual({ status: 'pending', nextAttemptAt: new Date('2026-11-25T08:00:04.000Z') });
    expect(afterFailedAttempt(policy, 5, now)).toEqual({ status: 'pending', nextAttemptAt: new Date('2026-11-25T08:00:10.000Z') });
    expect(afterFailedAttempt(policy, 6, now)).toEqual({ status: 'failed' });
  });

  it('by default keeps trying for hours, never waiting more than an hour', () => {
    let total = 0;
    for (let n = 1; n < DEFAULT_RETRY_POLICY.maxAttempts; n += 1) total += retryDelayMs(DEFAULT_RETRY_POLICY, n);
    expect(total).toBeGreaterThan(8 * 3_600_000);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 1_000)).toBe(3_600_000);
  });
});
