import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { ListQuery } from '@crm/http';
import { IsIdentifier } from '@crm/documents';
import { HOLDER_PROTECTED_FIELDS } from '../holder.schema';

export class ListHoldersQuery extends ListQuery {
  @ApiPropertyOptional({ description: 'Exact externalId.' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  external_id?: string;
  @ApiPropertyOptional({
    description: HOLDER_PROTECTED_FIELDS.describeFilter('document', '123.456.789-09 finds 12345678909.'),
  })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  @IsIdentifier()
  document?: string;
}
