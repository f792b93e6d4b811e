import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsCanonicalUuid, ListQuery } from '@crm/http';
import { IsIdentifier } from '@crm/documents';
import { ALIAS_PROTECTED_FIELDS, RELATED_PARTY_ROLES } from '../alias-account.schema';

export class ListAliasAccountsQuery extends ListQuery {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsCanonicalUuid() holder_id?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsCanonicalUuid() ledger_id?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsCanonicalUuid() account_id?: string;
  @ApiPropertyOptional({ description: ALIAS_PROTECTED_FIELDS.describeFilter('document', 'The holder document.') })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  @IsIdentifier()
  document?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) banking_details_branch?: string;
  @ApiPropertyOptional({
    description: ALIAS_PROTECTED_FIELDS.describeFilter('banking_details_account', 'Separators ignored.'),
  })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  @IsIdentifier()
  banking_details_account?: string;
  @ApiPropertyOptional({
    description: ALIAS_PROTECTED_FIELDS.describeFilter('banking_details_iban', 'Spaces and case ignored.'),
  })
  @IsOptional()
  @IsString()
  @MaxLength(42)
  @IsIdentifier()
  banking_details_iban?: string;
  @ApiPropertyOptional({ description: ALIAS_PROTECTED_FIELDS.describeFilter('regulatory_fields_participant_document') })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  @IsIdentifier()
  regulatory_fields_participant_document?: string;
  @ApiPropertyOptional({
    description: ALIAS_PROTECTED_FIELDS.describeFilter(
      'related_party_document',
      'Any related party with this document.',
    ),
  })
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
