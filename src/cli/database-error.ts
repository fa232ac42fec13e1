/** Why the PostgreSQL at `url` could not be used, in one line, or undefined when `error` is not about reaching it. */
export function databaseUnreachable(error: unknown, url: string | undefined): string | undefined {
  if (!url || !(error instanceof Error)) return undefined;
  let where: string;
  try {
    const u = new URL(url);
    // Never the password: host, port and database only.
    where = `${u.hostname}:${u.port || '5432'}${u.pathname.length > 1 ? u.pathname : ''}`;
  } catch {
    return undefined;
  }
  const code = (error as NodeJS.ErrnoException).code;
  const network: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'no such host',
    EAI_AGAIN: 'the host name could not be looked up',
    ETIMEDOUT: 'timed out',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ECONNRESET: 'connection reset',
  };
  if (code && network[code]) return `office-chat-users: cannot connect to PostgreSQL at ${where.split('/')[0]} (${network[code]}): is it running? Check DATABASE_URL.`;
  // Server-side refusals: no such database (3D000), role or password (28000, 28P01), starting up or shutting down (57P03).
  if (code && ['3D000', '28000', '28P01', '57P03', '53300'].includes(code)) return `office-chat-users: PostgreSQL at ${where} refused the connection: ${error.message}. Check DATABASE_URL.`;
  if (/^Connection terminated/.test(error.message)) return `office-chat-users: PostgreSQL at ${where} closed the connection (${error.message}). Check DATABASE_URL.`;
  return undefined;
}
