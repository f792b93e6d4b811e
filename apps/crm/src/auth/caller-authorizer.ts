import type { FieldGroup } from '@crm/personal-data';
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
  /** Whether the (already admitted) caller may reveal these personal-data field groups. */
  mayReveal(
    authorization: string | undefined,
    groups: readonly FieldGroup[],
    requestId: string,
  ): Promise<RevealDecision>;
}

/** The answer to a reveal: allowed, or refused naming the missing permission, or undecided (503). */
export type RevealDecision =
  { allowed: true } | { allowed: false; missingPermission: string } | { allowed: false; unavailable: true };

export const CALLER_AUTHORIZER = Symbol('CALLER_AUTHORIZER');
