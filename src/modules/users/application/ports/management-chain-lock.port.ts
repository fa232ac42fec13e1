import type { Transaction } from '../../../../shared/application/ports/unit-of-work.port.js';

/**
 * Serialises the changes of manager in a network: a change checks the chain above the new manager and commits
 * before the next one checks, so two changes made at once cannot close a cycle between them (each alone would pass
 * a check that reads before the other commits).
 */
export abstract class ManagementChainLock {
  /**
   * Holds the chain until `tx` ends. Waits a few seconds at most for another holder (an import making its links),
   * then throws ConcurrencyConflictError.
   */
  abstract hold(tx: Transaction, networkId: string): Promise<void>;
  /**
   * Holds the chain for all of `work`, across the transactions it runs: an import deciding its manager links and
   * making them, with no change of manager in between that its decisions did not see.
   */
  abstract holdDuring<T>(networkId: string, work: () => Promise<T>): Promise<T>;
}
