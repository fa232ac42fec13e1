import type { ImportProgress } from '../../application/process-import/import-processor.js';

const BAR_WIDTH = 30;
const PLAIN_EVERY_MS = 2_000;

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/**
 * Import progress on stderr: a redrawn bar (rows, rows/s, ETA) on a terminal, plain lines every few seconds
 * otherwise, so logs and CI output stay readable.
 */
export class ProgressReporter {
  private readonly startedAt = Date.now();
  private lastPlain = 0;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  update(p: ImportProgress): void {
    const elapsed = (Date.now() - this.startedAt) / 1000;
    const rate = elapsed > 0 ? p.done / elapsed : 0;
    const phase = p.phase === 'applying' ? 'importing' : 'linking';
    if (this.out.isTTY) {
      const ratio = p.total ? Math.min(1, p.done / p.total) : 0;
      const filled = Math.round(ratio * BAR_WIDTH);
      const eta = p.total && rate > 0 ? ` ETA ${Math.ceil((p.total - p.done) / rate)}s` : '';
      const of = p.total ? `/${fmt(p.total)}` : '';
      this.out.write(`\r${phase.padEnd(9)} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${fmt(p.done)}${of} rows ${fmt(rate)} rows/s${eta}\x1b[K`);
      return;
    }
    if (Date.now() - this.lastPlain < PLAIN_EVERY_MS) return;
    this.lastPlain = Date.now();
    this.out.write(`${phase}: ${fmt(p.done)}${p.total ? ` of ${fmt(p.total)}` : ''} rows (${fmt(rate)} rows/s)\n`);
  }

  done(): void {
    if (this.out.isTTY) this.out.write('\n');
  }
}
