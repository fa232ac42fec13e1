import type { CommandContext } from '../../application/command-context.js';
import type { AuthenticatedRequest } from '../auth/admin-auth.guard.js';

/** The metadata every event of this request will carry: network, admin, and the request id as correlation. */
export function commandContext(req: AuthenticatedRequest, networkId: string): CommandContext {
  const causation = req.headers['x-causation-id'];
  return {
    networkId,
    actor: { id: req.admin?.sub ?? 'anonymous', email: req.admin?.email },
    correlationId: String(req.id ?? req.headers['x-request-id'] ?? 'unknown'),
    causationId: typeof causation === 'string' && causation.length <= 200 ? causation : undefined,
  };
}
