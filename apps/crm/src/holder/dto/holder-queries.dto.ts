import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ListQuery } from '@crm/http';

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class GetHolderQuery {
  @ApiPropertyOptional({ description: 'Also return the holder when it was soft-deleted.' })
  @IsOptional() @Transform(toBoolean) @IsIn([true, false])
  include_deleted?: boolean;
}

export class DeleteHolderQuery {
  @ApiPropertyOptional({ description: 'Remove the holder permanently (also when it was soft-deleted before).' })
  @IsOptional() @Transform(toBoolean) @IsIn([true, false])
  hard_delete?: boolean;
}

export class ListHoldersQuery extends ListQuery {
  @ApiPropertyOptional({ description: 'Exact externalId.' }) @IsOptional() @IsString() @MaxLength(256) external_id?: string;
  @ApiPropertyOptional({ description: 'Document, format-insensitive (123.456.789-09 finds 12345678909); matched through the blind index.' })
  @IsOptional() @IsString() @MaxLength(50)
  document?: string;
}
