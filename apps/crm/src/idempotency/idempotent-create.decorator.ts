import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { DEFAULT_TTL_SECONDS } from './idempotency-headers';

export const IDEMPOTENT_CREATE = 'crm:idempotent-create';

const KEY_RULES =
  '1 to 255 visible ASCII characters. A retry with the same key and the same body gets the first answer ' +
  '(same status and body, with `X-Idempotency-Replayed: true`) and creates nothing; the same key with another ' +
  'body is 422 CRM-0050; while the first request with the key is still running, 409 CRM-0051 with `Retry-After`. ' +
  'A first attempt that failed does not hold the key. Scoped to the organization, the route (and holder) and the caller.';

/**
 * Marks a create handler as idempotent for requests that send `Idempotency-Key` (or Midaz v4's
 * `X-Idempotency`), and documents the headers. The IdempotencyInterceptor does the work.
 */
export const IdempotentCreate = () =>
  applyDecorators(
    SetMetadata(IDEMPOTENT_CREATE, true),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: `Makes the create safe to retry (draft-ietf-httpapi-idempotency-key-header; may be sent as a quoted string). ${KEY_RULES}`,
      schema: { type: 'string', minLength: 1, maxLength: 257, example: '8e03978e-40d5-43e8-bc93-6894a57f9324' },
    }),
    ApiHeader({
      name: 'X-Idempotency',
      required: false,
      description:
        "Midaz v4's name for the same key, unquoted; when both are sent they must be equal (else 400 CRM-0022).",
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    }),
    ApiHeader({
      name: 'X-TTL',
      required: false,
      description: `How long, in seconds, the key and the first answer are kept (Midaz v4). At most IDEMPOTENCY_MAX_TTL_SEC; else 400 CRM-0022. Ignored without a key.`,
      schema: { type: 'integer', minimum: 1, default: DEFAULT_TTL_SECONDS },
    }),
  );

/** The 201 response's header on a replayed answer, for the routes' `@ApiCreatedResponse`. */
export const REPLAY_RESPONSE_HEADERS = {
  'X-Idempotency-Replayed': {
    description: '`true` when this is the stored first answer of an earlier request with the same idempotency key.',
    schema: { type: 'string', enum: ['true'] },
  },
};
