import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { Transform } from 'class-transformer';
import { digitsToInteger, IsCalendarDate, IsCanonicalUuid, toBoolean } from '@crm/http';

/** `GET /v1/audit-events`: who read or changed a record, keyset-paged. */
export class AuditEventsQuery {
  @ApiPropertyOptional({ description: 'Events that named or returned this holder/alias id.', format: 'uuid' })
  @IsOptional()
  @IsCanonicalUuid()
  resource_id?: string;

  @ApiPropertyOptional({
    description: 'Events of this actor subject (as recorded: `<owner>/<sub>`, a token `sub`, or `anonymous`).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  actor?: string;

  @ApiPropertyOptional({
    type: 'boolean',
    description:
      'true: only events whose answer revealed masked personal data (`?reveal=`, PERSONAL_DATA_ACCESS=masked), each with its field groups and stated reason; false: only the others.',
  })
  @IsOptional()
  @Transform(toBoolean)
  @IsIn([true, false])
  revealed?: boolean;

  @ApiPropertyOptional({
    example: '2026-01-01',
    description: 'On or after this day (UTC). Give both dates or neither.',
  })
  @IsOptional()
  @IsCalendarDate()
  start_date?: string;

  @ApiPropertyOptional({ example: '2026-12-31', description: 'On or before this day (UTC).' })
  @IsOptional()
  @IsCalendarDate()
  end_date?: string;

  @ApiPropertyOptional({ default: 10, minimum: 1, description: 'Events per page, at most MAX_PAGINATION_LIMIT.' })
  @IsOptional()
  @Transform(digitsToInteger)
  @IsInt()
  @Min(1)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `next_cursor` of the previous page.' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/)
  cursor?: string;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'asc', description: 'Chronological by default.' })
  @IsOptional()
  @IsIn(['asc', 'desc', 'ASC', 'DESC'], { context: { code: 'CRM-0011' } })
  sort_order?: string;
}
