/** A held lock; releasing it lets another instance take the work. */
export interface HeldLock {
  release(): Promise<void>;
}

/**
 * One holder at a time across every instance of the service; a holder that dies loses the lock with its
 * database session, so another instance takes over.
 */
export abstract class DistributedLock {
  abstract tryAcquire(key: string): Promise<HeldLock | null>;
}

/** The lock an import is applied under: one import of a network at a time, across every instance. */
export const importLockKey = (networkId: string): string => `imports:${networkId}`;
