// The signed-in admin: the pasted token, what it claims, and the network being administered. Kept in
// sessionStorage only, so it ends with the browser tab. The page reads the claims for display; the API
// verifies the token on every call.

const TOKEN_KEY = 'office-chat-admin.token';
const NETWORK_KEY = 'office-chat-admin.network';

export interface Claims {
  sub: string;
  email: string | null;
  networks: string[];
  expiresAt: Date | null;
}

export class TokenFormatError extends Error {}

function base64UrlDecode(part: string): string {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The token's claims, or a TokenFormatError saying what is wrong with what was pasted. */
export function readClaims(token: string): Claims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new TokenFormatError('That is not a token: paste the whole line printed by "office-chat-users token" (three parts separated by dots).');
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(base64UrlDecode(parts[1])) as Record<string, unknown>;
  } catch {
    throw new TokenFormatError('That token cannot be read: check that it was copied completely.');
  }
  const networks = payload.networks;
  if (typeof payload.sub !== 'string' || !Array.isArray(networks) || !networks.every((n) => typeof n === 'string')) {
    throw new TokenFormatError('This token does not name an admin and the networks they administer (claims "sub" and "networks").');
  }
  if (networks.length === 0) throw new TokenFormatError('This token administers no network.');
  return {
    sub: payload.sub,
    email: typeof payload.email === 'string' ? payload.email : null,
    networks: networks as string[],
    expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : null,
  };
}

export interface Session {
  token: string;
  claims: Claims;
  network: string;
}

export function loadSession(): Session | null {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return null;
  try {
    const claims = readClaims(token);
    const stored = sessionStorage.getItem(NETWORK_KEY);
    const network = stored && claims.networks.includes(stored) ? stored : claims.networks[0];
    return { token, claims, network };
  } catch {
    clearSession();
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(TOKEN_KEY, session.token);
  sessionStorage.setItem(NETWORK_KEY, session.network);
}

export function clearSession(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(NETWORK_KEY);
}
