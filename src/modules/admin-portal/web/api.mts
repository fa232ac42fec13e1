// The REST API as the page uses it. Errors come back as application/problem+json; ApiError carries the
// API's own sentence (`detail`), which is what the admin is shown.

export type ImportStatus = 'queued' | 'running' | 'completed' | 'failed';
export type ImportMode = 'skip' | 'update';

export interface ImportCounts {
  rows: number;
  created: number;
  updated: number;
  activated: number;
  deactivated: number;
  unchanged: number;
  skipped: number;
  rejected: number;
}

export interface ImportReport {
  id: string;
  networkId: string;
  status: ImportStatus;
  mode: ImportMode;
  autoSendInvites: boolean;
  dryRun: boolean;
  fileName: string;
  sha256: string;
  counts: ImportCounts;
  warnings: string[];
  warningCount: number;
  cancelledBy?: string;
  failureReason?: string;
  /** null until the worker has read the whole file. */
  totalRows: number | null;
  estimatedRows: number | null;
  /** A running import reads its lines, then links the managers named on later lines. */
  stage: 'reading' | 'linking-managers' | null;
  /** When an admin last had the users this import created invited, and who. */
  invitationsRequested: { at: string; by: string } | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface RejectedRow {
  line: number;
  email: string | null;
  error: string;
  field: string | null;
  fields: Record<string, string>;
}

export interface User {
  id: string;
  networkId: string;
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
  createdAt: string;
  updatedAt: string;
}

export interface HistoryEntry {
  eventId: string;
  version: number;
  type: string;
  data: Record<string, unknown>;
  recordedAt: string;
  actor: { id: string; email: string | null };
  correlationId: string;
  causationId: string | null;
  importId: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const STATUS_WORDS: Record<number, string> = {
  0: 'The service could not be reached. Check your connection and try again.',
  401: 'Your sign-in is not valid any more. Paste a new token.',
  403: 'Your token does not let you do this.',
  404: 'Not found.',
  413: 'The file is too large.',
  500: 'Something went wrong on our side. Try again in a moment.',
};

/** The sentence to show for a failed response: the problem's `detail` when it has one. */
async function errorFrom(response: Response): Promise<ApiError> {
  let detail: string | undefined;
  try {
    const body = (await response.json()) as { detail?: unknown; title?: unknown };
    if (typeof body.detail === 'string' && body.detail.trim()) detail = body.detail;
    else if (typeof body.title === 'string') detail = body.title;
  } catch {
    // Not JSON: fall back to words for the status.
  }
  return new ApiError(response.status, detail ?? STATUS_WORDS[response.status] ?? `The request failed (HTTP ${response.status}).`);
}

export class Api {
  /** Called with the error when the API says the token is no longer good (401). */
  onUnauthorized: (error: ApiError) => void = () => undefined;

  constructor(private readonly token: () => string) {}

  private networkPath(networkId: string, rest: string): string {
    return `/api/v1/networks/${encodeURIComponent(networkId)}${rest}`;
  }

  private async send(method: string, path: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        body: init.body,
        headers: { Authorization: `Bearer ${this.token()}`, Accept: 'application/json', ...init.headers },
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, STATUS_WORDS[0]);
    }
    if (!response.ok) {
      const error = await errorFrom(response);
      if (response.status === 401) this.onUnauthorized(error);
      throw error;
    }
    return response;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    return (await response.json()) as T;
  }

  listUsers(networkId: string, query: { search?: string; status?: string; cursor?: string; limit: number }): Promise<{ items: User[]; nextCursor: string | null }> {
    const params = new URLSearchParams({ limit: String(query.limit) });
    if (query.search) params.set('search', query.search);
    if (query.status) params.set('status', query.status);
    if (query.cursor) params.set('cursor', query.cursor);
    return this.json('GET', this.networkPath(networkId, `/users?${params}`));
  }

  setUserActive(networkId: string, userId: string, active: boolean): Promise<User> {
    return this.json('POST', this.networkPath(networkId, `/users/${encodeURIComponent(userId)}/${active ? 'activate' : 'deactivate'}`));
  }

  userHistory(networkId: string, userId: string): Promise<{ items: HistoryEntry[] }> {
    return this.json('GET', this.networkPath(networkId, `/users/${encodeURIComponent(userId)}/events`));
  }

  listImports(networkId: string, limit = 10): Promise<{ items: ImportReport[]; nextCursor: string | null }> {
    return this.json('GET', this.networkPath(networkId, `/imports?limit=${limit}`));
  }

  getImport(networkId: string, importId: string): Promise<ImportReport> {
    return this.json('GET', this.networkPath(networkId, `/imports/${encodeURIComponent(importId)}`));
  }

  importErrors(networkId: string, importId: string, after = 0, limit = 100): Promise<{ items: RejectedRow[]; nextAfter: number | null }> {
    return this.json('GET', this.networkPath(networkId, `/imports/${encodeURIComponent(importId)}/errors?after=${after}&limit=${limit}`));
  }

  /** The rejected rows as the CSV the API writes (original fields plus line and error), and its file name. */
  async importErrorsCsv(networkId: string, importId: string): Promise<{ blob: Blob; fileName: string }> {
    const response = await this.send('GET', this.networkPath(networkId, `/imports/${encodeURIComponent(importId)}/errors`), { headers: { Accept: 'text/csv' } });
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const named = /filename="?([^";]+)"?/i.exec(disposition);
    return { blob: await response.blob(), fileName: named?.[1] ?? `import-${importId}-errors.csv` };
  }

  cancelImport(networkId: string, importId: string): Promise<ImportReport> {
    return this.json('POST', this.networkPath(networkId, `/imports/${encodeURIComponent(importId)}/cancel`));
  }

  requestInvitations(networkId: string, importId: string): Promise<{ requested: number }> {
    return this.json('POST', this.networkPath(networkId, `/imports/${encodeURIComponent(importId)}/invitations`));
  }

  /**
   * Starts an import (multipart upload). XMLHttpRequest rather than fetch, for the upload's progress events.
   */
  startImport(
    networkId: string,
    file: File,
    options: { mode: ImportMode; autoSendInvites: boolean; dryRun: boolean },
    onUploadProgress: (sent: number, total: number) => void,
  ): Promise<ImportReport> {
    const form = new FormData();
    // Fields before the file, so the server has them when the file part streams in.
    form.append('mode', options.mode);
    form.append('autoSendInvites', String(options.autoSendInvites));
    form.append('dryRun', String(options.dryRun));
    form.append('file', file, file.name);
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', this.networkPath(networkId, '/imports'));
      xhr.setRequestHeader('Authorization', `Bearer ${this.token()}`);
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.upload.addEventListener('progress', (event) => {
        if (event.lengthComputable) onUploadProgress(event.loaded, event.total);
      });
      xhr.addEventListener('error', () => reject(new ApiError(0, STATUS_WORDS[0])));
      xhr.addEventListener('load', () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          try {
            resolve(JSON.parse(xhr.responseText) as ImportReport);
          } catch {
            reject(new ApiError(xhr.status, 'The service answered with something that is not an import report.'));
          }
          return;
        }
        const status = xhr.status >= 400 && xhr.status <= 599 ? xhr.status : 500;
        const headers = { 'Content-Type': xhr.getResponseHeader('Content-Type') ?? 'text/plain' };
        errorFrom(new Response(xhr.responseText, { status, headers })).then((error) => {
          if (xhr.status === 401) this.onUnauthorized(error);
          reject(error);
        }, reject);
      });
      xhr.send(form);
    });
  }
}
