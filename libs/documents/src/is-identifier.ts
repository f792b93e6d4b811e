import { registerDecorator, ValidationArguments } from 'class-validator';
import type { ErrorCode } from '@crm/errors';
import { identifierProblem } from './identifiers';

/**
 * A searchable identifier (document, account, IBAN): once canonical (see `canonicalIdentifier`, the
 * form its blind index hashes) it must be non-empty `[0-9A-Z]`. Empty, e.g. `"   "` or `".-/"`: the
 * `emptyCode` (CRM-0003, missing); any other character (`ß`, `$`): CRM-0004.
 */
export function IsIdentifier(emptyCode: ErrorCode = 'CRM-0003'): PropertyDecorator {
  const rules = [
    {
      problem: 'empty',
      code: emptyCode,
      message: (property: string) => `${property} is required (it has no letter or digit)`,
    },
    {
      problem: 'characters',
      code: 'CRM-0004',
      message: (property: string) => `${property} must contain only letters A-Z and digits (separators are ignored)`,
    },
  ] as const;
  return (target, propertyName) => {
    for (const rule of rules) {
      registerDecorator({
        name: `identifier-${rule.problem}`,
        target: target.constructor,
        propertyName: propertyName as string,
        options: { context: { code: rule.code } },
        validator: {
          validate: (value: unknown) => typeof value !== 'string' || identifierProblem(value) !== rule.problem,
          defaultMessage: (args?: ValidationArguments) => rule.message(args?.property ?? String(propertyName)),
        },
      });
    }
  };
}
