import type { OpenAPIObject } from '@nestjs/swagger';
import type { AuthConfig } from '@crm/config';
import { scopeFor } from './jwt-verifier';
import { AuthAction, AuthResource, PERMISSION_EXTENSION } from './permission';

const SCHEME = 'bearer';

const RESPONSES: Record<'lerian' | 'jwt', Record<string, string>> = {
  lerian: {
    '401': 'No token: `Missing Token`; undecodable token: `Unauthorized` (text/plain, as lib-auth); or plugin-auth\'s own `{entityType?, title?, message?, code}`.',
    '403': 'plugin-auth did not authorize: `Forbidden` (text/plain), or plugin-auth\'s own error with its status.',
  },
  jwt: {
    '401': 'CRM-0042: no bearer token, or it is invalid (signature, algorithm, issuer, audience, exp/nbf).',
    '403': 'CRM-0043: the token lacks the permission (`crm:<resource>:read|write|delete`) or does not grant this organization.',
  },
};

/**
 * Declares the bearer scheme when an auth mode is on, and on every operation that carries a
 * permission (the `@Authorize` extension) its security and its 401/403/503 answers. With AUTH_MODE=none
 * the document has no scheme at all (nothing to send); public routes never declare one.
 */
export function declareAuthSecurity(document: OpenAPIObject, mode: AuthConfig['mode']): void {
  if (mode === 'none') return;
  document.components ??= {};
  document.components.securitySchemes = {
    ...document.components.securitySchemes,
    [SCHEME]: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: mode === 'lerian' ? 'A Lerian access token, checked by plugin-auth (lib-auth compatible).' : 'A JWT verified by this service; see the README for the claims it needs.',
    },
  };
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item)) {
      if (!operation || typeof operation !== 'object' || !(PERMISSION_EXTENSION in operation)) continue;
      const { resource, action } = (operation as Record<string, { resource: AuthResource; action: AuthAction }>)[PERMISSION_EXTENSION];
      operation.security = [{ [SCHEME]: [] }];
      operation.responses = {
        ...operation.responses,
        '401': { description: RESPONSES[mode]['401'] },
        '403': { description: `${RESPONSES[mode]['403']} Permission: ${mode === 'lerian' ? `plugin-crm ${resource}/${action}` : scopeFor({ resource, action })}.` },
        '503': { description: 'CRM-0041 authorization service (or JWKS) unavailable; CRM-0044 audit trail unavailable (AUDIT_MODE=required).' },
      };
    }
  }
}
