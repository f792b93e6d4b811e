import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HOLDER_PROTECTED_FIELDS, HOLDER_TYPES, HolderType } from '../holder.schema';
import { AddressesDto, ContactDto, LegalPersonDto, NaturalPersonDto } from './holder-parts.dto';

export class HolderResponseDto {
  @ApiProperty({ example: '019350a2-7c1e-7b7e-9d1f-3c2b1a000001', description: 'UUIDv7' }) id!: string;
  @ApiProperty({ enum: HOLDER_TYPES }) type!: HolderType;
  @ApiProperty({ example: 'John Doe', description: HOLDER_PROTECTED_FIELDS.describe('name') }) name!: string;
  @ApiProperty({ example: '91315026015', description: HOLDER_PROTECTED_FIELDS.describe('document') })
  document!: string;
  @ApiPropertyOptional({ example: 'G4K7N8M2', description: 'Omitted when not set.' }) externalId?: string;
  @ApiPropertyOptional({ type: AddressesDto }) addresses?: AddressesDto;
  @ApiPropertyOptional({ type: ContactDto }) contact?: ContactDto;
  @ApiPropertyOptional({ type: NaturalPersonDto }) naturalPerson?: NaturalPersonDto;
  @ApiPropertyOptional({ type: LegalPersonDto }) legalPerson?: LegalPersonDto;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { segment: 'retail' },
    description: 'Omitted when none was given.',
  })
  metadata?: Record<string, unknown>;
  @ApiProperty({ example: '2026-01-01T00:00:00.000Z' }) createdAt!: string;
  @ApiProperty({ example: '2026-01-01T00:00:00.000Z' }) updatedAt!: string;
  @ApiProperty({ example: null, nullable: true, type: String, description: 'Null while the holder is live.' })
  deletedAt!: string | null;
}

export class HolderPageDto {
  @ApiProperty({ type: [HolderResponseDto] }) items!: HolderResponseDto[];
  @ApiProperty({ example: 1 }) page!: number;
  @ApiProperty({ example: 10 }) limit!: number;
  @ApiPropertyOptional({ example: 42, description: 'With count=true.' }) total?: number;
  @ApiPropertyOptional({ description: 'Keyset cursor of the next page, when the page is full.' }) next_cursor?: string;
}
