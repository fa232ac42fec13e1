export interface RetryPolicy {
  /** Wait after the first failed attempt; each further failure doubles it. */
  readonly baseDelayMs: number;
  /** Longest wait between two attempts, however many failed. */
  readonly maxDelayMs: number;
  /** After this many failed attempts the mail is marked failed and left in the outbox for an operator. */
  readonly maxAttempts: number;
}

/** About nine hours of retries: an SMTP outage of a working day still ends with the mail delivered. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 30_000,
  maxDelayMs: 60 * 60_000,
  maxAttempts: 15,
};

export type AfterFailure =
  | { readonly status: 'pending'; readonly nextAttemptAt: Date }
  | { readonly status: 'failed' };

export function retryDelayMs(policy: RetryPolicy, failedAttempts: number): number {
  const exponent = Math.max(0, failedAttempts - 1);
  // Capping the exponent first keeps 2 ** n finite for any attempt count.
  const uncapped = policy.baseDelayMs * 2 ** Math.min(exponent, 30);
  return Math.min(policy.maxDelayMs, uncapped);
}

export function afterFailedAttempt(policy: RetryPolicy, failedAttempts: number, now: Date): AfterFailure {
  if (failedAttempts >= policy.maxAttempts) return { status: 'failed' };
  return { status: 'pending', nextAttemptAt: new Date(now.getTime() + retryDelayMs(policy, failedAttempts)) };
}
