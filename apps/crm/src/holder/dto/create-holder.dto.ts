import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { IsMetadata, Metadata } from '@crm/http';
import { IsIdentifier } from '@crm/documents';
import { HOLDER_PROTECTED_FIELDS, HOLDER_TYPES, HolderType } from '../holder.schema';
import { AddressesDto, ContactDto, LegalPersonDto, NaturalPersonDto } from './holder-parts.dto';

export class CreateHolderDto {
  @ApiProperty({ enum: HOLDER_TYPES, example: 'NATURAL_PERSON' })
  @IsNotEmpty()
  @IsIn(HOLDER_TYPES, { message: 'type must be NATURAL_PERSON or LEGAL_PERSON' })
  type!: HolderType;

  @ApiProperty({ example: 'John Doe', maxLength: 256, description: HOLDER_PROTECTED_FIELDS.describe('name') })
  @IsNotEmpty()
  @IsString()
  @MaxLength(256)
  name!: string;

  @ApiProperty({
    example: '91315026015',
    maxLength: 50,
    description: HOLDER_PROTECTED_FIELDS.describe('document', 'CPF or CNPJ (or another document). Immutable.'),
  })
  @IsNotEmpty()
  @IsString()
  @MaxLength(50)
  @IsIdentifier()
  document!: string;

  @ApiPropertyOptional({ example: 'G4K7N8M2', maxLength: 256 })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  externalId?: string;

  @ApiPropertyOptional({ type: AddressesDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AddressesDto)
  addresses?: AddressesDto;
  @ApiPropertyOptional({ type: ContactDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ContactDto)
  contact?: ContactDto;
  @ApiPropertyOptional({ type: NaturalPersonDto, description: 'Only for NATURAL_PERSON holders.' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => NaturalPersonDto)
  naturalPerson?: NaturalPersonDto;
  @ApiPropertyOptional({ type: LegalPersonDto, description: 'Only for LEGAL_PERSON holders.' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => LegalPersonDto)
  legalPerson?: LegalPersonDto;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    example: { segment: 'retail' },
    description: 'Flat, plain text (not encrypted): keys ≤ 100, values ≤ 2000 characters.',
  })
  @IsOptional()
  @IsObject()
  @IsMetadata()
  metadata?: Metadata;
}
