import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNotEmpty, IsObject, IsOptional, IsString, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { IsMetadata, Metadata } from '@crm/http';
import { AddressesDto, ContactDto, LegalPersonDto, NaturalPersonDto } from './holder-parts.dto';

/**
 * JSON merge patch of a holder: a property sent as null is removed, nested objects merge.
 * `type` and `document` are immutable, so they are not properties here (sending them: 400 CRM-0007).
 */
export class UpdateHolderDto {
  @ApiPropertyOptional({ example: 'John Doe', maxLength: 256 })
  @ValidateIf((body: UpdateHolderDto) => body.name !== undefined)
  @IsNotEmpty()
  @IsString()
  @MaxLength(256)
  name?: string;

  @ApiPropertyOptional({ type: String, example: 'G4K7N8M2', maxLength: 256, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  externalId?: string | null;
  @ApiPropertyOptional({ type: AddressesDto, nullable: true })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AddressesDto)
  addresses?: AddressesDto | null;
  @ApiPropertyOptional({ type: ContactDto, nullable: true })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ContactDto)
  contact?: ContactDto | null;
  @ApiPropertyOptional({ type: NaturalPersonDto, nullable: true })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => NaturalPersonDto)
  naturalPerson?: NaturalPersonDto | null;
  @ApiPropertyOptional({ type: LegalPersonDto, nullable: true })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => LegalPersonDto)
  legalPerson?: LegalPersonDto | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    nullable: true,
    description: 'Merged key by key; a key sent as null is removed.',
  })
  @IsOptional()
  @IsObject()
  @IsMetadata()
  metadata?: Metadata | null;
}
