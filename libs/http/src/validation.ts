import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { CrmException } from '@crm/errors';
import { ErrorCode } from '@crm/errors';

/** A validation failure flattened to its dotted path (`addresses.primary.country`). */
interface FieldFailure {
  path: string;
  value: unknown;
  constraints: Record<string, string>;
  codes: ErrorCode[];
}

function flatten(errors: ValidationError[], parent = ''): FieldFailure[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own: FieldFailure[] = error.constraints
      ? [
          {
            path,
            value: error.value,
            constraints: error.constraints,
            codes: Object.values(error.contexts ?? {})
              .map((context) => (context as { code?: ErrorCode }).code)
              .filter((code): code is ErrorCode => Boolean(code)),
          },
        ]
      : [];
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

const fieldsOf = (failures: FieldFailure[], describe: (failure: FieldFailure) => string) =>
  Object.fromEntries(failures.map((failure) => [failure.path, describe(failure)]));

/**
 * Turns class-validator errors into the CRM vocabulary, most specific first: unknown fields
 * (CRM-0007); a code a DTO rule names in its `context` (metadata, related parties…); missing
 * required fields (CRM-0003); and otherwise a wrong type or format (CRM-0004).
 */
export function validationErrorToException(errors: ValidationError[]): CrmException {
  const failures = flatten(errors);
  const unexpected = failures.filter((failure) => 'whitelistValidation' in failure.constraints);
  if (unexpected.length > 0) {
    return new CrmException('CRM-0007', { fields: fieldsOf(unexpected, () => 'field is not allowed') });
  }
  const describe = (failure: FieldFailure) => Object.values(failure.constraints).join('; ');
  const coded = failures.find((failure) => failure.codes.length > 0);
  if (coded) {
    return new CrmException(coded.codes[0], {
      fields: fieldsOf(
        failures.filter((failure) => failure.codes.includes(coded.codes[0])),
        describe,
      ),
    });
  }
  // An empty string where a value is required counts as missing, as in the original (CRM-0003).
  const missing = failures.filter(
    (failure) =>
      failure.value === undefined ||
      failure.value === null ||
      (failure.value === '' && 'isNotEmpty' in failure.constraints),
  );
  if (missing.length > 0) {
    return new CrmException('CRM-0003', { fields: fieldsOf(missing, (failure) => `${failure.path} is required`) });
  }
  return new CrmException('CRM-0004', { fields: fieldsOf(failures, describe) });
}

/** Generic body codes that mean "invalid query parameter" when the query string is at fault. */
const QUERY_GENERIC_CODES = new Set<ErrorCode>(['CRM-0003', 'CRM-0004', 'CRM-0007']);

/** A validation failure of the query string: CRM-0016 unless a rule named a more specific code. */
export function asQueryException(error: CrmException): CrmException {
  return QUERY_GENERIC_CODES.has(error.code) ? new CrmException('CRM-0016', { fields: error.details.fields }) : error;
}

/**
 * The strict global pipe: transform to DTO classes, reject unknown properties, map failures to
 * codes. Query-string failures answer CRM-0016 unless a rule names a more specific code (CRM-0009…).
 */
export class CrmValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      validationError: { target: false, value: true },
      exceptionFactory: validationErrorToException,
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      throw metadata.type === 'query' && error instanceof CrmException ? asQueryException(error) : error;
    }
  }
}
