import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { ListQuery } from '@crm/http';
import { IsIdentifier } from '@crm/documents';

export class ListHoldersQuery extends ListQuery {
  @ApiPropertyOptional({ description: 'Exact externalId.' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  external_id?: string;
  @ApiPropertyOptional({
    description: 'Document, format-insensitive (123.456.789-09 finds 12345678909); matched through the blind index.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  @IsIdentifier()
  document?: string;
}
