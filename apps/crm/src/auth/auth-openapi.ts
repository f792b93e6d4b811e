import type { OpenAPIObject } from '@nestjs/swagger';
import type { AuthConfig } from '@crm/config';
import { ERROR_CATALOG, ErrorCode } from '@crm/errors';
import { scopeFor } from './jwt-verifier';
import { AuthAction, AuthResource, PERMISSION_EXTENSION } from './permission';

/** The part of an OpenAPI response object this module writes. */
interface ResponseObject {
  description: string;
  content?: Record<string, { schema?: unknown; examples?: Record<string, unknown> }>;
}

const SCHEME = 'bearer';
const ENVELOPE = { $ref: '#/components/schemas/ErrorEnvelopeDto' };

const example = (code: ErrorCode) => ({
  summary: ERROR_CATALOG[code].title,
  value: { code, title: ERROR_CATALOG[code].title, message: ERROR_CATALOG[code].message },
});

/** An answer in this service's envelope, one example per code. */
function envelopeResponse(codes: ErrorCode[], extra = ''): ResponseObject {
  return {
    description: `${codes.map((code) => `${code}: ${ERROR_CATALOG[code].title}`).join('; ')}${extra}`,
    content: {
      'application/json': {
        schema: ENVELOPE,
        examples: Object.fromEntries(codes.map((code) => [code, example(code)])),
      },
    },
  };
}

/** lib-auth's answers: a plain-text word, or plugin-auth's own error passed through. */
function lerianResponse(words: string[], description: string): ResponseObject {
  return {
    description,
    content: {
      'text/plain': { schema: { type: 'string', enum: words } },
      'application/json': {
        schema: {
          type: 'object',
          required: ['code'],
          properties: {
            entityType: { type: 'string' },
            title: { type: 'string' },
            message: { type: 'string' },
            code: { oneOf: [{ type: 'string' }, { type: 'number' }] },
          },
        },
      },
    },
  };
}

/** Adds codes to an operation's 503 answer, keeping what it already documents. */
function with503(existing: ResponseObject | undefined): ResponseObject {
  const added = envelopeResponse(['CRM-0041', 'CRM-0044']);
  if (!existing?.content?.['application/json']) return added;
  const json = existing.content['application/json'];
  return {
    ...existing,
    description: `${existing.description}; ${added.description}`,
    content: {
      ...existing.content,
      'application/json': { ...json, examples: { ...json.examples, ...added.content!['application/json'].examples } },
    },
  };
}

/** An operation of the document that carries a permission (see `@Authorize`). */
interface PermissionedOperation {
  [PERMISSION_EXTENSION]: { resource: AuthResource; action: AuthAction };
  responses: Record<string, ResponseObject>;
  security?: Array<Record<string, string[]>>;
}

function isPermissioned(operation: unknown): operation is PermissionedOperation {
  return !!operation && typeof operation === 'object' && PERMISSION_EXTENSION in operation;
}

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
      description:
        mode === 'lerian'
          ? 'A Lerian access token, checked by plugin-auth (lib-auth compatible).'
          : 'A JWT verified by this service; see the README for the claims it needs.',
    },
  };
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as unknown[]) {
      if (!isPermissioned(operation)) continue;
      const { resource, action } = operation[PERMISSION_EXTENSION];
      const responses = operation.responses;
      operation.security = [{ [SCHEME]: [] }];
      operation.responses = {
        ...responses,
        ...(mode === 'lerian'
          ? {
              '401': lerianResponse(
                ['Missing Token', 'Unauthorized'],
                "No token: `Missing Token`; an undecodable token: `Unauthorized` (text/plain, as lib-auth); or plugin-auth's own error.",
              ),
              '403': lerianResponse(
                ['Forbidden'],
                `plugin-auth did not authorize plugin-crm ${resource}/${action}: \`Forbidden\` (text/plain), or plugin-auth's own error with its status.`,
              ),
            }
          : {
              '401': envelopeResponse(
                ['CRM-0042'],
                ': no bearer token, or an invalid one (signature, algorithm, issuer, audience, exp/nbf).',
              ),
              '403': envelopeResponse(
                ['CRM-0043'],
                `: the token lacks ${scopeFor({ resource, action })} or does not grant this organization.`,
              ),
            }),
        '503': with503(responses['503']),
      };
    }
  }
}
