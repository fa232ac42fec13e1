/**
 * Stored events are never rewritten. When an event's shape changes, its schemaVersion goes up and an upcaster
 * turns older stored versions into the current one on the way out of the store.
 */
export interface Upcaster {
  readonly type: string;
  readonly fromVersion: number;
  upcast(data: Record<string, unknown>): Record<string, unknown>;
}

export class EventUpcasters {
  private readonly byKey = new Map<string, Upcaster>();

  constructor(upcasters: readonly Upcaster[] = []) {
    for (const u of upcasters) this.byKey.set(`${u.type}@${u.fromVersion}`, u);
  }

  upcast(type: string, schemaVersion: number, data: Record<string, unknown>): { schemaVersion: number; data: Record<string, unknown> } {
    let version = schemaVersion;
    let current = data;
    for (let u = this.byKey.get(`${type}@${version}`); u; u = this.byKey.get(`${type}@${version}`)) {
      current = u.upcast(current);
      version += 1;
    }
    return { schemaVersion: version, data: current };
  }
}
