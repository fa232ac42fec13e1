/** Typed access to dedicated-broker.mjs (plain JavaScript, shared with scripts). */
export interface DedicatedBroker {
  readonly brokers: string;
  readonly dir: string;
  readonly running: boolean;
  restart(options?: { timeoutMs?: number }): Promise<void>;
  stop(): Promise<void>;
  kill(): Promise<void>;
  destroy(): Promise<void>;
}

// A computed specifier: TypeScript leaves the .mjs alone, jest loads it as ESM.
const modulePath: string = './dedicated-broker.mjs';

export async function startDedicatedBroker(options: { partitions?: number } = {}): Promise<DedicatedBroker> {
  const { DedicatedBroker } = (await import(modulePath)) as { DedicatedBroker: { start(o?: { partitions?: number }): Promise<DedicatedBroker> } };
  return DedicatedBroker.start(options);
}
