import type { ImportProgress } from '../../application/process-import/import-processor.js';

const BAR_WIDTH = 30;
const PLAIN_EVERY_MS = 2_000;

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Where progress goes: stderr, or anything that can be written to and says whether it is a terminal. */
export interface ProgressOutput {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * Import progress on stderr: a redrawn bar (rows, rows/s, ETA) on a terminal, plain lines every few seconds
 * otherwise, so logs and CI output stay readable. Each phase (the rows, then the manager links that waited for the
 * whole file) has its own count, unit and rate, timed from its own start.
 */
export class ProgressReporter {
  private phase: ImportProgress['phase'] | undefined;
  private phaseStartedAt: number;
  private lastPlain = -Infinity;
  private finished = false;
  /** Rows an earlier, stopped run applied: not this run's work, so not in its rate. */
  private rowsBefore = 0;

  constructor(
    private readonly out: ProgressOutput = process.stderr,
    private readonly now: () => number = Date.now,
  ) {
    this.phaseStartedAt = now();
  }

  /** The import resumes after `rows` rows applied by an earlier run. */
  resumeAfter(rows: number): void {
    this.rowsBefore = rows;
  }

  update(p: ImportProgress): void {
    if (this.finished) return;
    const now = this.now();
    if (p.phase !== this.phase) {
      // The rows' clock starts with the import; the links' with the first of them. The last bar stays on screen.
      if (this.phase !== undefined) {
        this.phaseStartedAt = now;
        if (this.out.isTTY) this.out.write('\n');
      }
      this.phase = p.phase;
      this.lastPlain = -Infinity;
    }
    const elapsed = (now - this.phaseStartedAt) / 1000;
    const unit = p.phase === 'applying' ? 'rows' : 'links';
    const label = p.phase === 'applying' ? 'importing' : 'linking';
    // No rate until the phase's clock has moved.
    const doneNow = p.phase === 'applying' ? Math.max(0, p.done - this.rowsBefore) : p.done;
    const perSecond = elapsed > 0 ? doneNow / elapsed : undefined;
    const rate = perSecond === undefined ? undefined : `${fmt(perSecond)} ${unit}/s`;
    if (this.out.isTTY) {
      const ratio = p.total ? Math.min(1, p.done / p.total) : 0;
      const filled = Math.round(ratio * BAR_WIDTH);
      const eta = p.total && perSecond ? ` ETA ${Math.ceil(Math.max(0, p.total - p.done) / perSecond)}s` : '';
      const of = p.total ? `/${fmt(p.total)}` : '';
      this.out.write(`\r${label.padEnd(9)} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${fmt(p.done)}${of} ${unit}${rate ? ` ${rate}` : ''}${eta}\x1b[K`);
      return;
    }
    if (now - this.lastPlain < PLAIN_EVERY_MS) return;
    this.lastPlain = now;
    this.out.write(`${label}: ${fmt(p.done)}${p.total ? ` of ${fmt(p.total)}` : ''} ${unit}${rate ? ` (${rate})` : ''}\n`);
  }

  /** Ends the bar's line; later updates are not shown (a stopped import's last batches may still report). */
  done(): void {
    if (this.out.isTTY && this.phase !== undefined && !this.finished) this.out.write('\n');
    this.finished = true;
  }
}
