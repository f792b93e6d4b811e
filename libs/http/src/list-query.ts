import { PipeTransform, Type } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validate } from 'class-validator';
import { IsDateFilter } from './calendar-date';
import { CrmException } from '@crm/errors';
import { metadataKeyProblem } from './metadata';
import { asQueryException, validationErrorToException } from './validation';

/** Offset paging skips (page - 1) x limit records: bounded so the skip stays a sane 32-bit number. */
const MAX_PAGE = 100_000;

/** A query value of digits only becomes a number; anything else stays as sent, for `@IsInt()` to refuse. */
export const digitsToInteger = ({ value }: { value: unknown }): unknown =>
  /^\d+$/.test(String(value)) ? Number(value) : value;

/** The spellings Go's `strconv.ParseBool` takes, which the original parses these flags with. */
const BOOLEAN_SPELLINGS: ReadonlyMap<string, boolean> = new Map([
  ...['1', 't', 'T', 'TRUE', 'true', 'True'].map((spelling) => [spelling, true] as const),
  ...['0', 'f', 'F', 'FALSE', 'false', 'False'].map((spelling) => [spelling, false] as const),
]);

/** A `strconv.ParseBool` spelling becomes its boolean; an empty value (`?hard_delete=`) counts as absent; anything else fails validation. */
export const toBoolean = ({ value }: { value: unknown }) => {
  if (value === '') return undefined;
  return typeof value === 'string' ? (BOOLEAN_SPELLINGS.get(value) ?? value) : value;
};

/** `?include_deleted=true`: also return a soft-deleted record. */
export class IncludeDeletedQuery {
  @ApiPropertyOptional({ type: 'boolean', description: 'Also return the record when it was soft-deleted.' })
  @IsOptional()
  @Transform(toBoolean)
  @IsIn([true, false])
  include_deleted?: boolean;
}

/** `?hard_delete=true`: remove the record for good (also a soft-deleted one) instead of setting deletedAt. */
export class HardDeleteQuery {
  @ApiPropertyOptional({
    type: 'boolean',
    description: 'Remove the record permanently (also when it was soft-deleted before).',
  })
  @IsOptional()
  @Transform(toBoolean)
  @IsIn([true, false])
  hard_delete?: boolean;
}

/** Query parameters every list route shares (page or cursor paging, order, creation-date window). */
export class ListQuery {
  @ApiPropertyOptional({
    type: 'integer',
    default: 1,
    minimum: 1,
    maximum: MAX_PAGE,
    description: 'Page number (offset paging). Deep pages: use `cursor`.',
  })
  @IsOptional()
  @Transform(digitsToInteger)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page?: number;

  @ApiPropertyOptional({
    type: 'integer',
    default: 10,
    minimum: 1,
    maximum: 10_000,
    description: 'Items per page, at most MAX_PAGINATION_LIMIT (default 100); above it: 400 CRM-0009.',
  })
  @IsOptional()
  @Transform(digitsToInteger)
  @IsInt()
  @Min(1)
  limit?: number;

  @ApiPropertyOptional({
    enum: ['asc', 'desc'],
    enumName: 'SortOrder',
    default: 'asc',
    description: 'Order of creation (UUIDv7 ids sort by time): chronological by default, as the original.',
  })
  @IsOptional()
  @IsIn(['asc', 'desc', 'ASC', 'DESC'], { context: { code: 'CRM-0011' } })
  sort_order?: string;

  @ApiPropertyOptional({
    pattern: '^\\d{4}-\\d{2}-\\d{2}( \\d{2}:\\d{2}:\\d{2})?$',
    example: '2026-01-01',
    description:
      'Created on or after this day, or this second with `YYYY-MM-DD hh:mm:ss` (UTC). Give both dates or neither.',
  })
  @IsOptional()
  @IsDateFilter()
  start_date?: string;

  @ApiPropertyOptional({
    pattern: '^\\d{4}-\\d{2}-\\d{2}( \\d{2}:\\d{2}:\\d{2})?$',
    example: '2026-12-31',
    description: 'Created on or before this day, or within this second with `YYYY-MM-DD hh:mm:ss` (UTC).',
  })
  @IsOptional()
  @IsDateFilter()
  end_date?: string;

  @ApiPropertyOptional({ type: 'boolean', description: 'Include soft-deleted records.' })
  @IsOptional()
  @Transform(toBoolean)
  @IsIn([true, false])
  include_deleted?: boolean;

  @ApiPropertyOptional({ type: 'boolean', description: 'Also return `total`, the number of matching records.' })
  @IsOptional()
  @Transform(toBoolean)
  @IsIn([true, false])
  count?: boolean;

  @ApiPropertyOptional({
    pattern: '^[A-Za-z0-9_-]{1,200}$',
    description: 'Keyset paging: the `next_cursor` of the previous page (then `page` is ignored). Best for deep pages.',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/)
  cursor?: string;
}

export type WithMetadataFilters<T> = T & { metadataFilters: Record<string, string> };

/** The key of a `metadata.<key>` or `metadata[<key>]` (OpenAPI deepObject) parameter; undefined for other parameters. */
function metadataFilterKey(parameter: string): string | undefined {
  if (parameter.startsWith('metadata.') && parameter.length > 'metadata.'.length)
    return parameter.slice('metadata.'.length);
  const bracketed = /^metadata\[(.+)\]$/s.exec(parameter);
  return bracketed?.[1];
}

/**
 * Validates a list query: `metadata.<key>=<value>` parameters become `metadataFilters` (any number,
 * combined with AND); every other parameter must belong to the DTO. Applied as a parameter pipe on
 * an untyped `@Query()`, so the global pipe leaves the raw query to it.
 */
export class ListQueryPipe<T extends object> implements PipeTransform<
  Record<string, unknown>,
  Promise<WithMetadataFilters<T>>
> {
  constructor(private readonly dto: Type<T>) {}

  async transform(raw: Record<string, unknown>): Promise<WithMetadataFilters<T>> {
    // No prototype: a `metadata.__proto__` key must be refused, never swallowed by an object setter.
    const metadataFilters: Record<string, string> = Object.create(null) as Record<string, string>;
    const rest: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw ?? {})) {
      if (Array.isArray(value)) throw new CrmException('CRM-0016', { fields: { [key]: 'must be given once' } });
      const metadataKey = metadataFilterKey(key);
      if (metadataKey !== undefined) {
        const problem = metadataKeyProblem(metadataKey);
        if (problem) throw new CrmException('CRM-0016', { fields: { metadata: problem } });
        metadataFilters[metadataKey] = String(value);
      } else rest[key] = value;
    }
    const query = plainToInstance(this.dto, rest);
    const errors = await validate(query, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) throw asQueryException(validationErrorToException(errors));
    return Object.assign(query, { metadataFilters });
  }
}
