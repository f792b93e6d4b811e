import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

/** What a business route does, in plugin-auth's vocabulary (lib-auth's resource and action). */
export type AuthResource = 'holders' | 'aliases' | 'audit' | 'personal-data';
export type AuthAction = 'post' | 'get' | 'patch' | 'delete' | 'reveal';

export interface RoutePermission {
  resource: AuthResource;
  action: AuthAction;
}

export const AUTHORIZE_METADATA = 'crm:authorize';
/** The OpenAPI extension naming an operation's permission; the document's security is derived from it. */
export const PERMISSION_EXTENSION = 'x-crm-permission';

/**
 * Declares the permission a route needs: the single source of the route → (resource, action) map
 * that the auth hook, the audit trail and the OpenAPI document read. Routes without it are public.
 */
export const Authorize = (resource: AuthResource, action: AuthAction) =>
  applyDecorators(
    SetMetadata(AUTHORIZE_METADATA, { resource, action } satisfies RoutePermission),
    ApiExtension(PERMISSION_EXTENSION, { resource, action }),
  );

/** The permission to reveal masked personal data (PERSONAL_DATA_ACCESS=masked), asked only of a reveal. */
export const REVEAL_PERMISSION: RoutePermission = { resource: 'personal-data', action: 'reveal' };
