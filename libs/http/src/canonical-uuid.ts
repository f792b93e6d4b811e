import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsUUID } from 'class-validator';

/**
 * A UUID in any case, kept in lower case: the one form ids are stored and compared in (the service's own
 * ids, path ids and imported ids are lower case). Midaz reads a UUID in either case as the same id, so an
 * account sent in upper case is the same account: it must meet the same unique index and the same filters.
 */
export function IsCanonicalUuid(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value)),
    IsUUID('all'),
  );
}
