import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import type { AppConfig } from '../config/app-config.js';

/** The admin a token names, and the networks they administer. */
export interface AdminPrincipal {
  readonly sub: string;
  readonly email?: string;
  readonly networks: readonly string[];
}

export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

/** Verifies bearer tokens: HS256 with AUTH_JWT_SECRET, or keys from AUTH_JWKS_URL in production. */
export class JwtVerifier {
  private readonly secret: Uint8Array;
  private readonly jwks?: JWTVerifyGetKey;

  constructor(private readonly auth: AppConfig['auth']) {
    this.secret = new TextEncoder().encode(auth.secret);
    this.jwks = auth.jwksUrl ? createRemoteJWKSet(new URL(auth.jwksUrl)) : undefined;
  }

  async verify(token: string): Promise<AdminPrincipal> {
    // A token without an expiry would open its networks for ever once leaked: every token must say when it ends.
    const options = { issuer: this.auth.issuer, audience: this.auth.audience, requiredClaims: ['exp'] };
    let payload;
    try {
      payload = this.jwks
        ? (await jwtVerify(token, this.jwks, options)).payload
        : (await jwtVerify(token, this.secret, { ...options, algorithms: ['HS256'] })).payload;
    } catch (error) {
      throw new InvalidTokenError(`The bearer token was refused: ${whyRefused(error)}.`);
    }
    const networks = payload.networks;
    if (typeof payload.sub !== 'string' || !Array.isArray(networks) || !networks.every((n) => typeof n === 'string')) {
      throw new InvalidTokenError('The bearer token must name the admin (sub) and the networks they administer (networks).');
    }
    // sub is the actor recorded on every event: an empty one would leave changes that name nobody.
    if (payload.sub.trim() === '') {
      throw new InvalidTokenError('The bearer token was refused: its "sub" claim is empty; it must be the admin\'s id, recorded as the actor of each change.');
    }
    return { sub: payload.sub, email: typeof payload.email === 'string' ? payload.email : undefined, networks };
  }
}

/** Development tokens, as printed by `office-chat-users token`. */
export async function mintToken(
  secret: string,
  claims: { sub: string; email?: string; networks: string[] },
  options: { expiresIn?: string; issuer?: string; audience?: string } = {},
): Promise<string> {
  let jwt = new SignJWT({ email: claims.email, networks: claims.networks })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h');
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** jose's reasons ("Invalid Compact JWS") in words for the admin holding the token. */
function whyRefused(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'it has expired (its "exp" time has passed); get a new one';
  if (error instanceof errors.JWTClaimValidationFailed && error.reason === 'missing') {
    return `it has no "${error.claim}" claim${error.claim === 'exp' ? ' (when it expires); get one that does' : ''}`;
  }
  if (error instanceof errors.JWTClaimValidationFailed) return `its "${error.claim}" claim is not valid here (${error.message})`;
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return 'its signature does not match: it was not issued for this service';
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'it is signed with an algorithm this service does not accept';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'it is not a well-formed JSON Web Token';
  return (error as Error).message;
}
