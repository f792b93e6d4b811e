import { decodeJwt, JWTPayload } from 'jose';

/** lib-auth's product name of this service. */
export const LERIAN_PRODUCT = 'plugin-crm';
const MACHINE_SUBJECT = `admin/${LERIAN_PRODUCT}-editor-role`;

/**
 * The token of an `Authorization` header as lib-auth reads it: `Bearer <t>` (any case) or a single
 * bare token; anything else, and the literal `null`/`nil`, is no token at all.
 */
export function lerianTokenOf(header: string | undefined): string | undefined {
  const parts = (header ?? '').split(' ');
  let token = '';
  if (parts.length === 2 && parts[0].toLowerCase() === 'bearer') token = parts[1];
  else if (parts.length === 1) token = parts[0];
  if (token === '' || token.toLowerCase() === 'bearer' || token === 'null' || token === 'nil') return undefined;
  return token;
}

/** A standard bearer token (RFC 6750): `Bearer <t>`, the scheme in any case. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(header ?? '');
  return match?.[1];
}

/** Who plugin-auth is asked about, and whether the product goes in the request body. */
export interface LerianSubject {
  sub: string;
  kind: 'normal-user' | 'application';
  /** The token's own `sub` claim, kept for the audit trail of application tokens. */
  tokenSubject?: string;
}

/**
 * Decodes the JWT WITHOUT verifying it (plugin-auth verifies), as lib-auth does, to name the subject:
 * a `normal-user` is `<owner>/<sub>`, anything else is the product's editor role. Undefined when the
 * token cannot be decoded or a normal user lacks owner or sub.
 */
export function lerianSubjectOf(token: string): LerianSubject | undefined {
  let claims: JWTPayload;
  try {
    claims = decodeJwt(token);
  } catch {
    return undefined;
  }
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  if (claims.type === 'normal-user') {
    const owner = text(claims.owner);
    const sub = text(claims.sub);
    return owner && sub ? { sub: `${owner}/${sub}`, kind: 'normal-user' } : undefined;
  }
  return { sub: MACHINE_SUBJECT, kind: 'application', tokenSubject: text(claims.sub) };
}

/** The body of `POST /v1/authorize`: compact JSON with its keys sorted, byte for byte as lib-auth sends it. */
export function authorizeRequestBody(subject: LerianSubject, resource: string, action: string): string {
  const body: Record<string, string> = {
    action,
    ...(subject.kind === 'normal-user' ? { product: LERIAN_PRODUCT } : {}),
    resource,
    sub: subject.sub,
  };
  return JSON.stringify(body, Object.keys(body).sort());
}
