import { type CanActivate, type ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type AdminPrincipal, InvalidTokenError, JwtVerifier } from './jwt-verifier.js';

const REALM = 'office-chat-users';

export type AuthenticatedRequest = Request & { admin?: AdminPrincipal; id?: string };

/**
 * Every /api/v1 route: a valid bearer token (401 otherwise), and the route's network among the token's
 * networks (403 otherwise), checked before any handler reads or writes a thing.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(@Inject(JwtVerifier) private readonly verifier: JwtVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S.*?)\s*$/i.exec(header);
    // A 401 names the scheme to use (RFC 9110), and says when the token sent was the trouble (RFC 6750).
    if (!match) {
      response.setHeader('WWW-Authenticate', `Bearer realm="${REALM}"`);
      throw new UnauthorizedException('Sign in: send "Authorization: Bearer <token>" with an admin token.');
    }
    try {
      if (/\s/.test(match[1])) throw new InvalidTokenError('The bearer token was refused: the Authorization header holds more than one word after "Bearer"; send the token alone.');
      request.admin = await this.verifier.verify(match[1]);
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        response.setHeader('WWW-Authenticate', `Bearer realm="${REALM}", error="invalid_token"`);
        throw new UnauthorizedException(error.message);
      }
      throw error;
    }
    const networkId = request.params?.networkId;
    if (typeof networkId === 'string' && !request.admin.networks.includes(networkId)) {
      throw new ForbiddenException(`Your token does not let you administer network "${networkId}".`);
    }
    return true;
  }
}
