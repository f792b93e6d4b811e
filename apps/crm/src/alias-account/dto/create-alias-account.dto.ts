import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsObject, IsOptional, ValidateNested } from 'class-validator';
import { IsCanonicalUuid, IsMetadata, Metadata } from '@crm/http';
import { BankingDetailsDto, RegulatoryFieldsDto, RelatedPartyDto } from './alias-parts.dto';

export class CreateAliasAccountDto {
  @ApiProperty({
    format: 'uuid',
    example: '01965ed9-7fa4-75b2-8872-fc9e8509ab0a',
    description: 'Midaz ledger id; must exist in the organization.',
  })
  @IsCanonicalUuid()
  ledgerId!: string;

  @ApiProperty({
    format: 'uuid',
    example: '01965ed9-7fa4-75b2-8872-fc9e8509ab0b',
    description: 'Midaz account id; must exist in the ledger. One live alias per account.',
  })
  @IsCanonicalUuid()
  accountId!: string;

  @ApiPropertyOptional({ type: BankingDetailsDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => BankingDetailsDto)
  bankingDetails?: BankingDetailsDto;
  @ApiPropertyOptional({ type: RegulatoryFieldsDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RegulatoryFieldsDto)
  regulatoryFields?: RegulatoryFieldsDto;
  @ApiPropertyOptional({ type: [RelatedPartyDto] })
  @IsOptional()
  @IsArray({ context: { code: 'CRM-0004' } })
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => RelatedPartyDto)
  relatedParties?: RelatedPartyDto[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    example: { channel: 'app' },
    description: 'Flat, plain text (not encrypted).',
  })
  @IsOptional()
  @IsObject()
  @IsMetadata()
  metadata?: Metadata;
}

/**
 * JSON merge patch of an alias: bankingDetails, regulatoryFields and metadata merge (null removes);
 * relatedParties are appended, each with a new id. ledgerId and accountId cannot change (CRM-0007).
 */
export class UpdateAliasAccountDto {
  @ApiPropertyOptional({ type: BankingDetailsDto, nullable: true })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => BankingDetailsDto)
  bankingDetails?: BankingDetailsDto | null;
  @ApiPropertyOptional({ type: RegulatoryFieldsDto, nullable: true })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RegulatoryFieldsDto)
  regulatoryFields?: RegulatoryFieldsDto | null;
  @ApiPropertyOptional({ type: [RelatedPartyDto], description: 'Appended to the existing related parties.' })
  @IsOptional()
  @IsArray({ context: { code: 'CRM-0004' } })
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => RelatedPartyDto)
  relatedParties?: RelatedPartyDto[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    nullable: true,
  })
  @IsOptional()
  @IsObject()
  @IsMetadata()
  metadata?: Metadata | null;
}
