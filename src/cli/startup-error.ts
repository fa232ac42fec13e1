/**
 * A start-up failure of this machine's setup rather than of the service (the address or port to listen on, the data
 * directory), in one line naming the variable to change; undefined for any other error.
 */
export function startupProblem(error: unknown, env: NodeJS.ProcessEnv): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const e = error as NodeJS.ErrnoException & { hostname?: string; port?: number };
  const host = env.HOST ?? '0.0.0.0';
  if ((e.syscall === 'getaddrinfo' && e.hostname === env.HOST) || e.code === 'EADDRNOTAVAIL') {
    return `office-chat-users: cannot listen on HOST "${host}": it is not an address of this machine. Set HOST to one of its addresses (0.0.0.0 for all of them), or unset it.`;
  }
  if (e.code === 'EADDRINUSE') return `office-chat-users: port ${e.port ?? env.PORT} is already in use on ${host}: stop what uses it, or set PORT to another.`;
  if (e.code === 'EACCES' && e.syscall === 'listen') return `office-chat-users: this user may not listen on port ${e.port ?? env.PORT}: set PORT to 1024 or above.`;
  const reasons: Record<string, string> = {
    EEXIST: 'a file is in the way',
    ENOTDIR: 'a file is in the way',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'read-only file system',
  };
  // A folder on the way that exists but takes no folders (a link to a volume that is not mounted, /proc).
  if (e.code === 'ENOENT' && e.syscall === 'mkdir' && e.path !== undefined) {
    return `office-chat-users: cannot use DATA_DIR ${env.DATA_DIR ?? './var'} (no folder can be made at ${e.path}: is a link on the way broken, or a volume not mounted?): it must be a directory this user can write.`;
  }
  if (e.path !== undefined && e.code !== undefined && reasons[e.code]) {
    return `office-chat-users: cannot use DATA_DIR ${env.DATA_DIR ?? './var'} (${reasons[e.code]}: ${e.path}): it must be a directory this user can write.`;
  }
  return undefined;
}
