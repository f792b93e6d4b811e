import { createPublicKey, KeyObject } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { createRemoteJWKSet, errors, JWTPayload, jwtVerify, JWTVerifyGetKey } from 'jose';
import type { JwtAuthConfig } from '@crm/config';
import type { FieldGroup } from '@crm/personal-data';
import { AccessDecision, Actor, envelopeDenial } from './access-decision';
import { bearerTokenOf } from './bearer-token';
import type { CallerAuthorizer, RevealDecision } from './caller-authorizer';
import { AuthAction, REVEAL_PERMISSION, RoutePermission } from './permission';

/** The permission a route needs, as a scope: `crm:<resource>:read|write|delete` (`crm:personal-data:reveal`). */
export function scopeFor(permission: RoutePermission): string {
  const verbs: Record<AuthAction, string> = {
    get: 'read',
    post: 'write',
    patch: 'write',
    delete: 'delete',
    reveal: 'reveal',
  };
  return `crm:${permission.resource}:${verbs[permission.action]}`;
}

/** A claim that lists strings: an array of strings, or one space-separated string (OAuth `scope`). */
function listClaim(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

/** The key source could not answer (JWKS unreachable, timed out, not a key set): says nothing about the token. */
class KeySourceError extends Error {
  constructor(readonly reason: string) {
    super(`signing keys unavailable: ${reason}`);
    this.name = 'KeySourceError';
  }
}

/**
 * A JWKS key getter whose own failures are told apart from the token's: a kid the set does not hold
 * stays a token problem (401); a fetch that fails becomes a KeySourceError (503).
 */
function keySourceOf(jwks: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await jwks(header, token);
    } catch (error) {
      if (
        error instanceof errors.JOSEError &&
        !(error instanceof errors.JWKSTimeout) &&
        !(error instanceof errors.JWKSInvalid)
      )
        throw error;
      throw new KeySourceError((error as Error).name);
    }
  };
}

/**
 * Verifies standard bearer tokens locally with `jose`: signature (JWKS with rotation, or one static
 * public key), allowed algorithms only, issuer, audience, exp/nbf/iat with a small clock tolerance; then
 * the route's scope and the organization binding (the token must name the request's organization).
 */
@Injectable()
export class JwtVerifier implements CallerAuthorizer {
  readonly mode = 'jwt' as const;
  private readonly logger = new Logger('JwtVerifier');
  private readonly key: JWTVerifyGetKey | KeyObject;

  constructor(private readonly settings: JwtAuthConfig) {
    this.key = settings.jwksUrl
      ? keySourceOf(
          createRemoteJWKSet(new URL(settings.jwksUrl), {
            cooldownDuration: settings.jwksCooldownMs,
            cacheMaxAge: 10 * 60_000,
            timeoutDuration: 5000,
          }),
        )
      : createPublicKey(settings.publicKey!);
  }

  async authorize(
    authorization: string | undefined,
    permission: RoutePermission,
    organizationId: string | undefined,
    requestId: string,
  ): Promise<AccessDecision> {
    const verified = await this.verify(authorization, requestId);
    if ('allowed' in verified) return verified;
    const { claims, actor } = verified;
    const scope = scopeFor(permission);
    if (!listClaim(claims[this.settings.permissionsClaim]).includes(scope)) {
      return envelopeDenial('CRM-0043', requestId, { message: `The token lacks the permission ${scope}.`, actor });
    }
    if (organizationId !== undefined && !this.coversOrganization(claims, organizationId)) {
      return envelopeDenial('CRM-0043', requestId, {
        message: 'The token does not grant access to this organization.',
        actor,
      });
    }
    return { allowed: true, actor };
  }

  /** A reveal needs `crm:personal-data:reveal` (every group), or `crm:personal-data:reveal:<group>` for each group asked. */
  async mayReveal(
    authorization: string | undefined,
    groups: readonly FieldGroup[],
    requestId: string,
  ): Promise<RevealDecision> {
    const everyGroup = scopeFor(REVEAL_PERMISSION);
    const verified = await this.verify(authorization, requestId);
    if ('allowed' in verified)
      return verified.allowed || verified.denial.outcome !== 'unavailable'
        ? { allowed: false, missingPermission: everyGroup }
        : { allowed: false, unavailable: true };
    const granted = listClaim(verified.claims[this.settings.permissionsClaim]);
    if (granted.includes(everyGroup)) return { allowed: true };
    const missing = groups.find((group) => !granted.includes(`${everyGroup}:${group}`));
    return missing === undefined
      ? { allowed: true }
      : { allowed: false, missingPermission: `${everyGroup}:${missing}` };
  }

  /** The token's claims and caller once its signature and standard claims check out; a denial otherwise. */
  private async verify(
    authorization: string | undefined,
    requestId: string,
  ): Promise<{ claims: JWTPayload; actor: Actor } | AccessDecision> {
    const token = bearerTokenOf(authorization);
    if (!token)
      return envelopeDenial('CRM-0042', requestId, {
        message: 'A bearer token is required (Authorization: Bearer <token>).',
      });
    let claims: JWTPayload;
    try {
      const verified = await jwtVerify(token, this.key as JWTVerifyGetKey, {
        algorithms: this.settings.algorithms,
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        clockTolerance: this.settings.clockToleranceSec,
        requiredClaims: ['exp', 'sub'],
        ...(this.settings.maxTokenAgeSec > 0 ? { maxTokenAge: this.settings.maxTokenAgeSec } : {}),
      });
      claims = verified.payload;
      if (this.issuedInTheFuture(claims))
        return envelopeDenial('CRM-0042', requestId, { message: 'The bearer token is not valid (iat in the future).' });
    } catch (error) {
      if (error instanceof KeySourceError) {
        this.logger.warn({ reason: error.reason }, 'JWKS could not be fetched: business requests answer 503 CRM-0041');
        return envelopeDenial('CRM-0041', requestId, {
          message: 'The token signing keys could not be fetched. Try again later.',
        });
      }
      // The reason (expired, wrong audience…) is safe to tell: it names a check, never a claim value.
      const reason = error instanceof errors.JOSEError ? ` (${error.code})` : '';
      return envelopeDenial('CRM-0042', requestId, { message: `The bearer token is not valid${reason}.` });
    }
    // jose checks that `sub` is present, not what it is: the audit trail names callers by it.
    if (typeof claims.sub !== 'string' || claims.sub.trim() === '')
      return envelopeDenial('CRM-0042', requestId, { message: 'The bearer token is not valid (no subject).' });
    return { claims, actor: { subject: claims.sub, type: 'jwt' } };
  }

  /** jose checks `iat` only against a maximum age; a token minted ahead of time is refused without one too. */
  private issuedInTheFuture(claims: JWTPayload): boolean {
    return typeof claims.iat === 'number' && claims.iat > Date.now() / 1000 + this.settings.clockToleranceSec;
  }

  private coversOrganization(claims: JWTPayload, organizationId: string): boolean {
    const wildcard = this.settings.allowAllOrganizationsClaim;
    if (wildcard) {
      const value = claims[wildcard];
      if (value === true || value === 'true' || listClaim(value).includes('*')) return true;
    }
    return listClaim(claims[this.settings.organizationsClaim]).some(
      (granted) => granted.toLowerCase() === organizationId.toLowerCase(),
    );
  }
}
