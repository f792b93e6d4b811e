import { SetMetadata } from '@nestjs/common';

/** What a business route does, in plugin-auth's vocabulary (lib-auth's resource and action). */
export type AuthResource = 'holders' | 'aliases' | 'audit';
export type AuthAction = 'post' | 'get' | 'patch' | 'delete';

export interface RoutePermission {
  resource: AuthResource;
  action: AuthAction;
}

export const AUTHORIZE_METADATA = 'crm:authorize';

/**
 * Declares the permission a route needs: the single source of the route → (resource, action) map
 * that the auth hook, the audit trail and the OpenAPI document read. Routes without it are public.
 */
export const Authorize = (resource: AuthResource, action: AuthAction) => SetMetadata(AUTHORIZE_METADATA, { resource, action } satisfies RoutePermission);
