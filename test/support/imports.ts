/**
 * Helpers for tests that drive the CSV import over HTTP: upload a file, wait for the worker to finish it, and
 * read what an admin would see (the report, the users, their history, the error CSV).
 *
 *   const t = await startTestApp({ IMPORT_WORKER_ENABLED: 'true' });
 *   const report = await importCsv(t, network, 'email/login,name\nann@acme.example,Ann\n');
 *   expect(report.counts.created).toBe(1);
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Response } from 'supertest';
import type { ImportCountsData as ImportCounts } from '../../src/modules/imports/domain/import.events.js';
import type { ImportReportJson } from '../../src/modules/imports/infrastructure/http/import-report.json.js';
import type { TestApp } from './app.js';
import { usersPath } from './users-api.js';

export const CSV_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/csv');

export function fixture(name: string): Buffer {
  return readFileSync(join(CSV_FIXTURES, name));
}

export const importsPath = (network: string, suffix = '') => `/api/v1/networks/${encodeURIComponent(network)}/imports${suffix}`;

// The API's own report types, so a test cannot drift from what the service answers.
export type { ImportCounts };
export type ImportReportBody = ImportReportJson;

export interface UploadFields {
  mode?: string;
  autoSendInvites?: string;
  dryRun?: string;
  [field: string]: string | undefined;
}

/** POSTs the file as multipart (fields first, as browsers send them). Returns the raw response. */
export async function upload(
  t: TestApp,
  network: string,
  content: string | Buffer,
  fields: UploadFields = {},
  options: { fileName?: string; auth?: { Authorization: string } } = {},
): Promise<Response> {
  let req = t.http.post(importsPath(network)).set(options.auth ?? (await t.authHeader([network])));
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) req = req.field(name, value);
  return req.attach('file', typeof content === 'string' ? Buffer.from(content, 'utf8') : content, {
    filename: options.fileName ?? 'users.csv',
    contentType: 'text/csv',
  });
}

export async function getImport(t: TestApp, network: string, importId: string): Promise<ImportReportBody> {
  const res = await t.http.get(importsPath(network, `/${importId}`)).set(await t.authHeader([network]));
  if (res.status !== 200) throw new Error(`GET import ${importId} answered ${res.status}: ${res.text}`);
  return res.body;
}

/** Polls the report until the import is completed or failed. */
export async function waitForImport(t: TestApp, network: string, importId: string, timeoutMs = 30_000): Promise<ImportReportBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const report = await getImport(t, network, importId);
    if (report.status === 'completed' || report.status === 'failed') return report;
    if (Date.now() > deadline) throw new Error(`import ${importId} still ${report.status} after ${timeoutMs} ms: ${JSON.stringify(report)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Uploads, expects 202, waits for the end; the report of a completed import. */
export async function importCsv(t: TestApp, network: string, content: string | Buffer, fields: UploadFields = {}, fileName?: string): Promise<ImportReportBody> {
  const res = await upload(t, network, content, fields, { fileName });
  if (res.status !== 202) throw new Error(`upload answered ${res.status}: ${res.text}`);
  const report = await waitForImport(t, network, res.body.id);
  if (report.status !== 'completed') throw new Error(`import ended ${report.status}: ${JSON.stringify(report)}`);
  return report;
}

/** The import's rejected lines as the API gives them in JSON (the first page). */
export async function errorsJson(
  t: TestApp,
  network: string,
  importId: string,
): Promise<{ line: number; email: string | null; error: string; field: string | null; fields: Record<string, string> }[]> {
  const res = await t.http.get(importsPath(network, `/${importId}/errors`)).set(await t.authHeader([network]));
  if (res.status !== 200) throw new Error(`GET errors of ${importId} answered ${res.status}: ${res.text}`);
  return res.body.items;
}

/** The import's five exclusive outcomes add up to the rows it read. */
export function exclusiveSum(c: ImportCounts): number {
  return c.created + c.updated + c.unchanged + c.skipped + c.rejected;
}

export interface UserBody {
  id: string;
  email: string;
  name: string;
  firstName: string | null;
  lastName: string | null;
  title: string | null;
  mobile: string | null;
  managerId: string | null;
  managerEmail: string | null;
  status: 'active' | 'deactivated';
  invitation: 'none' | 'requested';
  version: number;
  [key: string]: unknown;
}

/** Every user of the network through the API, by lower-cased e-mail. */
export async function usersOf(t: TestApp, network: string): Promise<Map<string, UserBody>> {
  const auth = await t.authHeader([network]);
  const out = new Map<string, UserBody>();
  let cursor: string | undefined;
  do {
    const res = await t.http.get(usersPath(network)).query({ limit: 200, ...(cursor ? { cursor } : {}) }).set(auth);
    if (res.status !== 200) throw new Error(`list users answered ${res.status}: ${res.text}`);
    for (const u of res.body.items as UserBody[]) out.set(u.email.toLowerCase(), u);
    cursor = res.body.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

export interface HistoryEntry {
  eventId: string;
  version: number;
  type: string;
  data: Record<string, any>;
  importId: string | null;
  [key: string]: unknown;
}

/** GET /users/{id}/events. */
export async function historyOf(t: TestApp, network: string, userId: string): Promise<HistoryEntry[]> {
  const res = await t.http.get(usersPath(network, `/${userId}/events`)).set(await t.authHeader([network]));
  if (res.status !== 200) throw new Error(`history answered ${res.status}: ${res.text}`);
  return res.body.items;
}

/** The users' events of a network, straight from the event store (to prove "no event was written"). */
export async function userEventCount(t: TestApp, network: string): Promise<number> {
  const [row] = await t.runtime.dataSource.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM events WHERE network_id = $1 AND stream_type = 'user'`,
    [network],
  );
  return row.n;
}

/** GET errors as CSV, parsed back into rows of cells (the reply's own quoting undone). */
export async function errorsCsv(t: TestApp, network: string, importId: string, delimiter = ','): Promise<{ res: Response; rows: string[][] }> {
  const res = await t.http.get(importsPath(network, `/${importId}/errors`)).set(await t.authHeader([network])).set('Accept', 'text/csv').buffer(true).parse((r, cb) => {
    let data = '';
    r.setEncoding('utf8');
    r.on('data', (c: string) => (data += c));
    r.on('end', () => cb(null, data));
  });
  return { res, rows: parseCsv(String(res.body).replace(/^\uFEFF/, ''), delimiter) };
}

/** A small RFC 4180 reader for the service's own output. */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      // the \n ends the row
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** Lines of a CSV joined with LF and a final line break. */
export const csv = (...lines: string[]) => lines.join('\n') + '\n';
