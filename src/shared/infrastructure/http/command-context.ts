import type { CommandContext } from '../../application/command-context.js';
import type { AuthenticatedRequest } from '../auth/admin-auth.guard.js';

/**
 * A causation id as events carry it to Kafka: visible ASCII, no spaces. Header bytes arrive as Latin-1, so anything
 * else (UTF-8 from curl, a pasted sentence) would reach consumers as a value the caller never sent.
 */
const CAUSATION_ID = /^[\x21-\x7e]{1,200}$/;

/** The metadata every event of this request will carry: network, admin, and the request id as correlation. */
export function commandContext(req: AuthenticatedRequest, networkId: string): CommandContext {
  const causation = req.headers['x-causation-id'];
  return {
    networkId,
    actor: { id: req.admin?.sub ?? 'anonymous', email: req.admin?.email },
    correlationId: String(req.id ?? req.headers['x-request-id'] ?? 'unknown'),
    // One that is not an id is left out: the request itself is then the cause, as without the header.
    causationId: typeof causation === 'string' && CAUSATION_ID.test(causation) ? causation : undefined,
  };
}
