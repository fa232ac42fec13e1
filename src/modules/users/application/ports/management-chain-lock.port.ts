import type { Transaction } from '../../../../shared/application/ports/unit-of-work.port.js';

/**
 * Serialises the changes of manager in a network until their transaction ends: a change checks the chain above
 * the new manager and commits before the next one checks, so two edits made at once cannot close a cycle between
 * them (each alone would pass a check that reads before the other commits).
 */
export abstract class ManagementChainLock {
  abstract hold(tx: Transaction, networkId: string): Promise<void>;
}
