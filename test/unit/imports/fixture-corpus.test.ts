import { readFileSync, readdirSync } from 'node:fs';
import { FIXTURES, chunked, fixtureBytes, fixturePath, importOutcome, type ImportOutcome } from './support/import-file.js';

interface Expected {
  refused?: string;
  valid: number[];
  rejected: Array<[number, string]>;
  warnings: string[];
}

interface CorpusRow {
  fixture: string;
  outcome: string;
}

/** The table of test/fixtures/csv/README.md: | `fixture` | what it is | outcome |. */
function corpus(): CorpusRow[] {
  const rows: CorpusRow[] = [];
  for (const line of readFileSync(fixturePath('README.md'), 'utf8').split('\n')) {
    const match = /^\|\s*`([^`]+)`\s*\|.*\|\s*([^|]+?)\s*\|\s*$/.exec(line);
    if (match) rows.push({ fixture: match[1], outcome: match[2] });
  }
  return rows;
}

function parseOutcome(text: string): Expected {
  const expected: Expected = { valid: [], rejected: [], warnings: [] };
  let sawValid = false;
  for (const clause of text.split(';').map((c) => c.trim())) {
    const [verb, ...rest] = clause.split(' ');
    const args = rest.join(' ');
    switch (verb) {
      case 'refused':
        expected.refused = args;
        break;
      case 'valid':
        sawValid = true;
        expected.valid = args === 'none' ? [] : args.split(',').map((n) => Number(n.trim()));
        break;
      case 'rejected':
        expected.rejected = args.split(',').map((entry) => {
          const [line, field] = entry.trim().split(' ');
          return [Number(line), field];
        });
        break;
      case 'warns':
        expected.warnings.push(args);
        break;
      default:
        throw new Error(`README outcome clause not understood: "${clause}"`);
    }
  }
  if (expected.refused === undefined && !sawValid) throw new Error(`README outcome "${text}" needs a "valid" or "refused" clause`);
  return expected;
}

function actual(outcome: ImportOutcome): Expected {
  if (outcome.refusal) return { refused: outcome.refusal.code, valid: [], rejected: [], warnings: [] };
  return {
    valid: outcome.valid.map((row) => row.line),
    rejected: outcome.rejected.map((r) => [r.line, r.field ?? '-']),
    warnings: outcome.warnings,
  };
}

const rows = corpus();

describe('the fixture corpus (test/fixtures/csv/README.md)', () => {
  it('lists every fixture in the folder, and only existing ones', () => {
    const files = readdirSync(FIXTURES)
      .filter((f) => f !== 'README.md' && f !== 'make-fixtures.mjs')
      .sort();
    expect(rows.map((r) => r.fixture).sort()).toEqual(files);
  });

  it.each(rows.map((r) => [r.fixture, r.outcome]))('%s → %s', async (fixture, outcome) => {
    const bytes = await fixtureBytes(fixture);
    expect(actual(await importOutcome(chunked(bytes, 64 * 1024)))).toEqual(parseOutcome(outcome));
  });

  // Every chunk boundary must be invisible: in a BOM, a UTF-8/UTF-16 sequence, a CRLF, a "" or a “.
  it.each(rows.map((r) => [r.fixture]))('%s gives the same outcome read 1, 2, 3 or 5 bytes at a time', async (fixture) => {
    const bytes = await fixtureBytes(fixture);
    const whole = await importOutcome(chunked(bytes, 64 * 1024));
    for (const size of [1, 2, 3, 5]) expect(await importOutcome(chunked(bytes, size))).toEqual(whole);
  });
});
