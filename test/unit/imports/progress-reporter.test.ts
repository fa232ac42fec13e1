import { ProgressReporter } from '../../../src/modules/imports/infrastructure/cli/progress-reporter.js';

/** An output that keeps what was written, and a clock the test moves. */
function reporter(isTTY: boolean) {
  const written: string[] = [];
  let now = 1_000_000;
  const progress = new ProgressReporter({ isTTY, write: (text: string) => written.push(text) }, () => now);
  return { progress, written, advance: (ms: number) => (now += ms) };
}

describe('the CLI progress (ProgressReporter)', () => {
  it('off a terminal: a plain line every two seconds with rows, total and rows/s; then the links, timed from their own start', () => {
    const { progress, written, advance } = reporter(false);
    advance(1_000);
    progress.update({ phase: 'applying', done: 5_000, total: 100_000 });
    advance(1_000);
    progress.update({ phase: 'applying', done: 10_000, total: 100_000 });
    advance(1_000);
    progress.update({ phase: 'applying', done: 30_000, total: 100_000 });
    advance(37_000);
    progress.update({ phase: 'linking', done: 2_000, total: 4_000 });
    advance(1_000);
    progress.update({ phase: 'linking', done: 4_000, total: 4_000 });
    progress.done();
    expect(written).toEqual([
      'importing: 5,000 of 100,000 rows (5,000 rows/s)',
      'importing: 30,000 of 100,000 rows (10,000 rows/s)',
      'linking: 2,000 of 4,000 links',
    ].map((line) => `${line}\n`));
  });

  it('on a terminal: one bar redrawn in place, with the ETA; a new line when the links start, and at the end', () => {
    const { progress, written, advance } = reporter(true);
    advance(2_000);
    progress.update({ phase: 'applying', done: 50_000, total: 100_000 });
    advance(2_000);
    progress.update({ phase: 'applying', done: 100_000, total: 100_000 });
    progress.update({ phase: 'linking', done: 0, total: 10 });
    advance(500);
    progress.update({ phase: 'linking', done: 10, total: 10 });
    progress.done();
    expect(written).toEqual([
      `\rimporting [${'#'.repeat(15)}${'.'.repeat(15)}] 50,000/100,000 rows 25,000 rows/s ETA 2s\x1b[K`,
      `\rimporting [${'#'.repeat(30)}] 100,000/100,000 rows 25,000 rows/s ETA 0s\x1b[K`,
      '\n',
      `\rlinking   [${'.'.repeat(30)}] 0/10 links\x1b[K`,
      `\rlinking   [${'#'.repeat(30)}] 10/10 links 20 links/s ETA 0s\x1b[K`,
      '\n',
    ]);
  });

  it('a resumed import: rows/s and the ETA count only the rows applied by this run, not those applied before it stopped', () => {
    const { progress, written, advance } = reporter(true);
    progress.resumeAfter(100_000);
    advance(2_000);
    progress.update({ phase: 'applying', done: 120_000, total: 200_000 });
    progress.done();
    expect(written).toEqual([`\rimporting [${'#'.repeat(18)}${'.'.repeat(12)}] 120,000/200,000 rows 10,000 rows/s ETA 8s\x1b[K`, '\n']);
  });

  it('after done() (a stopped import), the batches still finishing draw nothing under the words that follow', () => {
    const { progress, written, advance } = reporter(true);
    advance(1_000);
    progress.update({ phase: 'applying', done: 5_000, total: 10_000 });
    progress.done();
    progress.done();
    progress.update({ phase: 'applying', done: 10_000, total: 10_000 });
    expect(written).toHaveLength(2);
    expect(written[1]).toBe('\n');
  });
});
