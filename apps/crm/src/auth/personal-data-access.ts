import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Inject,
  Injectable,
  Logger,
  NestInterceptor,
  OnModuleInit,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiHeader, ApiQuery } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { concatMap, from, map, Observable } from 'rxjs';
import { APP_CONFIG, AppConfig } from '@crm/config';
import type { ProtectedFields } from '@crm/crypto';
import { CrmException, ErrorCode } from '@crm/errors';
import { requestIdOf } from '@crm/http';
import { FIELD_GROUPS, FieldGroup, isLoggableMetadataKey, MaskedFieldSpec, maskPersonalData } from '@crm/personal-data';
import { noteReveal, Reveal } from '../audit/reveals';
import { CALLER_AUTHORIZER, CallerAuthorizer } from './caller-authorizer';

export const ACCESS_REASON_HEADER = 'x-access-reason';
export const MAX_ACCESS_REASON_LENGTH = 200;
const REVEAL_PARAMETER = 'reveal';
const PERSONAL_DATA_ANSWER = 'crm:personal-data-answer';
/** The errors of a reveal, for the `@ApiErrors` of the handlers marked `@PersonalDataAnswer`. */
export const REVEAL_ERRORS: ErrorCode[] = ['CRM-0052', 'CRM-0053', 'CRM-0054'];

/**
 * Marks a handler whose answer (a record or a page of them) carries these protected fields: with
 * PERSONAL_DATA_ACCESS=masked they are masked unless revealed. Documents `?reveal=` and `X-Access-Reason`.
 */
export const PersonalDataAnswer = (fields: ProtectedFields) =>
  applyDecorators(
    SetMetadata(PERSONAL_DATA_ANSWER, fields.specs),
    ApiQuery({
      name: REVEAL_PARAMETER,
      required: false,
      schema: { type: 'string', example: 'document,contact' },
      description: `With PERSONAL_DATA_ACCESS=masked: the field groups to answer unmasked, comma-separated (${FIELD_GROUPS.join(', ')}), or \`all\`. Needs the \`X-Access-Reason\` header (else 400 CRM-0052) and the permission to reveal (jwt: \`crm:personal-data:reveal\` or \`crm:personal-data:reveal:<group>\`; lerian: \`personal-data\`/\`reveal\`; else 403 CRM-0053). Audited. Ignored with PERSONAL_DATA_ACCESS=plain.`,
    }),
    ApiHeader({
      name: 'X-Access-Reason',
      required: false,
      description: `Why the personal data is revealed (with \`?reveal=\`): free text of at most ${MAX_ACCESS_REASON_LENGTH} characters, stored as given in the audit trail, so it must not hold personal data; one that looks like it (a CPF, CNPJ, e-mail, phone, card or long number) is refused with 400 CRM-0054.`,
    }),
  );

/**
 * Applies PERSONAL_DATA_ACCESS to the answers of the handlers marked `@PersonalDataAnswer`: decides once,
 * before the handler runs, which field groups the request reveals (asked, with a reason, and permitted),
 * then masks the answer's other protected fields and notes the reveal for the audit trail. Registered
 * before the idempotency interceptor, so it wraps it: a stored first answer stays unmasked and each replay
 * is masked for its own caller.
 */
@Injectable()
export class PersonalDataAccessInterceptor implements NestInterceptor, OnModuleInit {
  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CALLER_AUTHORIZER) private readonly authorizer: CallerAuthorizer,
  ) {}

  onModuleInit(): void {
    if (this.config.personalDataAccess === 'masked' && this.authorizer.mode === 'none')
      new Logger('PersonalDataAccess').warn(
        'PERSONAL_DATA_ACCESS=masked has no effect with AUTH_MODE=none: there is no caller to hold a reveal permission, so answers stay plain.',
      );
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const fields = this.reflector.get<readonly MaskedFieldSpec[] | undefined>(
      PERSONAL_DATA_ANSWER,
      context.getHandler(),
    );
    if (!fields || context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const asked = takeRevealParameter(request);
    // AUTH_MODE=none has no caller to hold a permission: answers stay plain, as in plain mode.
    if (this.config.personalDataAccess === 'plain' || this.authorizer.mode === 'none') return next.handle();
    return from(this.decideReveal(request, asked)).pipe(
      concatMap((reveal) =>
        next.handle().pipe(
          map((answer: unknown) => {
            if (reveal) noteReveal(request.raw, reveal);
            return maskPersonalData(answer, fields, new Set(reveal?.groups));
          }),
        ),
      ),
    );
  }

  private async decideReveal(request: FastifyRequest, asked: string | undefined): Promise<Reveal | undefined> {
    const reveal = revealAsked(asked, request.headers[ACCESS_REASON_HEADER]);
    if (!reveal) return undefined;
    const authorization = request.headers.authorization;
    const decision = await this.authorizer.mayReveal(authorization, reveal.groups, requestIdOf(request.raw));
    if (decision.allowed) return reveal;
    if ('unavailable' in decision) throw new CrmException('CRM-0041');
    throw new CrmException('CRM-0053', {
      message: `Revealing ${reveal.groups.join(', ')} needs the permission ${decision.missingPermission}.`,
    });
  }
}

/**
 * Takes `reveal` out of the query: it is this interceptor's, and the routes' query validation (which
 * refuses unknown parameters) never sees it. Repeated parameters count as one comma-separated list.
 */
function takeRevealParameter(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  const value = query?.[REVEAL_PARAMETER];
  if (query && REVEAL_PARAMETER in query) delete query[REVEAL_PARAMETER];
  if (Array.isArray(value)) return value.map(String).join(',');
  return typeof value === 'string' ? value : undefined;
}

/** The field groups and the reason of a reveal, undefined when none is asked; 400 when it is malformed. */
export function revealAsked(
  asked: string | undefined,
  reasonHeader: string | string[] | undefined,
): Reveal | undefined {
  const names = (asked ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0) return undefined;
  const unknown = names.filter((name) => name !== 'all' && !FIELD_GROUPS.includes(name as FieldGroup));
  if (unknown.length > 0)
    throw invalidReveal(REVEAL_PARAMETER, `must list field groups (${FIELD_GROUPS.join(', ')}) or all`);
  const groups = names.includes('all') ? [...FIELD_GROUPS] : FIELD_GROUPS.filter((group) => names.includes(group));
  const reason = (Array.isArray(reasonHeader) ? reasonHeader[0] : reasonHeader)?.trim();
  if (!reason)
    throw new CrmException('CRM-0052', { fields: { [ACCESS_REASON_HEADER]: 'is required to reveal personal data' } });
  if (reason.length > MAX_ACCESS_REASON_LENGTH)
    throw invalidReveal(ACCESS_REASON_HEADER, `must be at most ${MAX_ACCESS_REASON_LENGTH} characters`);
  // The reason is stored as given: it follows the rule for names that are logged (metadata keys).
  if (!isLoggableMetadataKey(reason))
    throw invalidReveal(ACCESS_REASON_HEADER, 'looks like personal data; state the reason without any');
  return { groups, reason };
}

const invalidReveal = (field: string, problem: string) =>
  new CrmException('CRM-0054', { fields: { [field]: problem } });
