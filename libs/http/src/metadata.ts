import { registerDecorator, ValidationArguments } from 'class-validator';
import { ErrorCode } from '@crm/errors';

export const METADATA_LIMITS = { keyLength: 100, valueLength: 2000 } as const;

export type MetadataValue = string | number | boolean | null;
export type Metadata = Record<string, MetadataValue>;

/** Keys that would reach object prototypes or Mongo operators if they were ever used as property names or paths. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Why a user-supplied metadata key (in a body or a `metadata.<key>` filter) is unusable, or undefined. */
export function metadataKeyProblem(key: string): string | undefined {
  if (key.length > METADATA_LIMITS.keyLength)
    return `metadata keys must be at most ${METADATA_LIMITS.keyLength} characters`;
  if (key.trim() === '' || key.includes('.') || key.startsWith('$'))
    return 'metadata keys must be non-empty and contain no "." nor a leading "$"';
  // Control characters, and white space at either end, are never meant; some servers also refuse them in paths.
  if (key.trim() !== key || /\p{Cc}/u.test(key))
    return 'metadata keys must not contain control characters nor begin or end with white space';
  if (RESERVED_KEYS.has(key)) return `"${key}" is reserved and cannot be a metadata key`;
  return undefined;
}

/** The first rule a metadata object breaks, with its code, or undefined. */
export function metadataProblem(value: unknown): { code: ErrorCode; message: string } | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { code: 'CRM-0001', message: 'metadata must be a flat object' };
  for (const [key, item] of Object.entries(value)) {
    const keyProblem = metadataKeyProblem(key);
    if (keyProblem)
      return { code: key.length > METADATA_LIMITS.keyLength ? 'CRM-0002' : 'CRM-0001', message: keyProblem };
    if (item !== null && typeof item === 'object')
      return {
        code: 'CRM-0001',
        message: 'metadata values must be strings, numbers, booleans or null; nesting is not allowed',
      };
    if (typeof item === 'string' && item.length > METADATA_LIMITS.valueLength)
      return { code: 'CRM-0012', message: `metadata values must be at most ${METADATA_LIMITS.valueLength} characters` };
  }
  return undefined;
}

/** class-validator rule for a `metadata` property: flat, bounded keys and values; the code names the rule broken. */
export function IsMetadata(): PropertyDecorator {
  return (target, propertyName) => {
    for (const code of ['CRM-0001', 'CRM-0002', 'CRM-0012'] as const) {
      registerDecorator({
        name: `metadata${code.slice(-2)}`,
        target: target.constructor,
        propertyName: propertyName as string,
        options: { context: { code } },
        validator: {
          // A metadata that is not an object at all is a wrong type (CRM-0004, from IsObject), not a nesting problem.
          validate: (value: unknown) =>
            value === null ||
            typeof value !== 'object' ||
            Array.isArray(value) ||
            metadataProblem(value)?.code !== code,
          defaultMessage: (args?: ValidationArguments) => metadataProblem(args?.value)?.message ?? 'invalid metadata',
        },
      });
    }
  };
}
