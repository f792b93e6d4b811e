import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ALIAS_PROTECTED_FIELDS, RELATED_PARTY_ROLES, RelatedPartyRole } from '../alias-account.schema';
import { BankingDetailsDto, RegulatoryFieldsDto } from './alias-parts.dto';

export class RelatedPartyResponseDto {
  @ApiProperty({ example: '019350a2-7c1e-7b7e-9d1f-3c2b1a000003' }) id!: string;
  @ApiProperty({ example: '91315026015', description: ALIAS_PROTECTED_FIELDS.describe('relatedParties[].document') })
  document!: string;
  @ApiProperty({ example: 'Jane Doe', description: ALIAS_PROTECTED_FIELDS.describe('relatedParties[].name') })
  name!: string;
  @ApiProperty({ enum: RELATED_PARTY_ROLES }) role!: RelatedPartyRole;
  @ApiProperty({ example: '2025-01-01' }) startDate!: string;
  @ApiPropertyOptional({ example: '2026-01-01' }) endDate?: string;
}

export class AliasAccountResponseDto {
  @ApiProperty({ example: '019350a2-7c1e-7b7e-9d1f-3c2b1a000002' }) id!: string;
  @ApiProperty({ example: '019350a2-7c1e-7b7e-9d1f-3c2b1a000001' }) holderId!: string;
  @ApiProperty({ example: '01965ed9-7fa4-75b2-8872-fc9e8509ab0a' }) ledgerId!: string;
  @ApiProperty({ example: '01965ed9-7fa4-75b2-8872-fc9e8509ab0b' }) accountId!: string;
  @ApiProperty({ example: 'NATURAL_PERSON', description: 'Copied from the holder.' }) type!: string;
  @ApiProperty({
    example: '91315026015',
    description: ALIAS_PROTECTED_FIELDS.describe('document', 'Copied from the holder.'),
  })
  document!: string;
  @ApiPropertyOptional({ type: BankingDetailsDto }) bankingDetails?: BankingDetailsDto;
  @ApiPropertyOptional({ type: RegulatoryFieldsDto }) regulatoryFields?: RegulatoryFieldsDto;
  @ApiPropertyOptional({ type: [RelatedPartyResponseDto], description: 'Omitted when there are none.' })
  relatedParties?: RelatedPartyResponseDto[];
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { channel: 'app' },
    description: 'Omitted when none was given.',
  })
  metadata?: Record<string, unknown>;
  @ApiProperty({ example: '2026-01-01T00:00:00.000Z' }) createdAt!: string;
  @ApiProperty({ example: '2026-01-01T00:00:00.000Z' }) updatedAt!: string;
  @ApiProperty({ example: null, nullable: true, type: String }) deletedAt!: string | null;
}

export class AliasAccountPageDto {
  @ApiProperty({ type: [AliasAccountResponseDto] }) items!: AliasAccountResponseDto[];
  @ApiProperty({ example: 1 }) page!: number;
  @ApiProperty({ example: 10 }) limit!: number;
  @ApiPropertyOptional({ example: 42 }) total?: number;
  @ApiPropertyOptional() next_cursor?: string;
}
