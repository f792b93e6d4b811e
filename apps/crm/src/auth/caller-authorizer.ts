import type { AccessDecision } from './access-decision';
import type { RoutePermission } from './permission';

/** One authentication mode: turns a request's credentials into an access decision for a permission. */
export interface CallerAuthorizer {
  readonly mode: 'none' | 'lerian' | 'jwt';
  authorize(
    authorization: string | undefined,
    permission: RoutePermission,
    organizationId: string | undefined,
    requestId: string,
  ): Promise<AccessDecision>;
}

export const CALLER_AUTHORIZER = Symbol('CALLER_AUTHORIZER');
