import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ImportMode } from '../../domain/import.events.js';
import { type LineProbe, SettledLines } from '../../application/ports/settled-lines.port.js';

/**
 * One statement per batch: the probes go as one JSON parameter, each is matched to its user by a unique-index probe
 * (LATERAL … LIMIT 1, so statistics can never turn it into a scan of the network), and only the positions of the
 * settled lines come back, as one integer array.
 */
@Injectable()
export class PostgresSettledLines extends SettledLines {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async settle(networkId: string, mode: ImportMode, probes: readonly LineProbe[]): Promise<ReadonlySet<number>> {
    if (probes.length === 0) return new Set();
    // A name cell is compared as given: an existing user's name is never composed from first and last names.
    const unchanged = `(p.n IS NULL OR p.n = u.name)
        AND (p.f IS NULL OR p.f = u.first_name) AND (p.l IS NULL OR p.l = u.last_name)
        AND (p.t IS NULL OR p.t = u.title) AND (p.m IS NULL OR p.m = u.mobile)
        AND (p.e IS NULL OR p.e = (u.status = 'active'))
        AND (p.g IS NULL OR (p.g <> p.k AND mg.id = u.manager_id))`;
    const [row] = await this.dataSource.query<{ settled: number[] | null }[]>(
      `SELECT array_agg(p.at) AS settled
         FROM json_to_recordset($2::json) AS p(at int, k text, n text, f text, l text, t text, m text, g text, e boolean)
        CROSS JOIN LATERAL (SELECT name, first_name, last_name, title, mobile, manager_id, status
                              FROM users WHERE network_id = $1 AND email_key = p.k LIMIT 1) u
         LEFT JOIN LATERAL (SELECT id FROM users WHERE network_id = $1 AND email_key = p.g LIMIT 1) mg ON $3 = 'update' AND p.g IS NOT NULL
        WHERE $3 = 'skip' OR (${unchanged})`,
      [networkId, JSON.stringify(probes.map((p) => ({ at: p.at, k: p.emailKey, n: p.name, f: p.firstName, l: p.lastName, t: p.title, m: p.mobile, g: p.managerKey, e: p.enabled }))), mode],
    );
    return new Set(row.settled ?? []);
  }
}
