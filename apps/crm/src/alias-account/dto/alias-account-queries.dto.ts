import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { ListQuery } from '@crm/http';
import { IsIdentifier } from '@crm/documents';
import { RELATED_PARTY_ROLES } from '../alias-account.schema';

export class ListAliasAccountsQuery extends ListQuery {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID('all') holder_id?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID('all') ledger_id?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID('all') account_id?: string;
  @ApiPropertyOptional({ description: 'Holder document, format-insensitive (blind index).' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  @IsIdentifier()
  document?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) banking_details_branch?: string;
  @ApiPropertyOptional({ description: 'Blind index; separators ignored.' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  @IsIdentifier()
  banking_details_account?: string;
  @ApiPropertyOptional({ description: 'Blind index; spaces and case ignored.' })
  @IsOptional()
  @IsString()
  @MaxLength(42)
  @IsIdentifier()
  banking_details_iban?: string;
  @ApiPropertyOptional({ description: 'Blind index, format-insensitive.' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  @IsIdentifier()
  regulatory_fields_participant_document?: string;
  @ApiPropertyOptional({ description: 'Any related party with this document (blind index).' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  @IsIdentifier()
  related_party_document?: string;
  @ApiPropertyOptional({ enum: RELATED_PARTY_ROLES, enumName: 'RelatedPartyRole' })
  @IsOptional()
  @IsIn(RELATED_PARTY_ROLES)
  related_party_role?: string;
}
