import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsCalendarDate } from '@crm/http';
import { HOLDER_PROTECTED_FIELDS } from '../holder.schema';

// Nested parts of a holder, shared by the create and update bodies. Every property is optional here;
// in a PATCH a property sent as null is removed (JSON merge patch). AddressDto serves the three addresses,
// protected alike: its descriptions name the primary one's paths.

export class AddressDto {
  @ApiPropertyOptional({
    nullable: true,
    example: '123 Financial Avenue',
    maxLength: 256,
    description: HOLDER_PROTECTED_FIELDS.describe('addresses.primary.line1'),
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  line1?: string;
  @ApiPropertyOptional({
    nullable: true,
    example: 'Suite 1500',
    maxLength: 256,
    description: HOLDER_PROTECTED_FIELDS.describe('addresses.primary.line2'),
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  line2?: string;
  @ApiPropertyOptional({
    nullable: true,
    example: '10001',
    maxLength: 20,
    description: HOLDER_PROTECTED_FIELDS.describe('addresses.primary.zipCode'),
  })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  zipCode?: string;
  @ApiPropertyOptional({ nullable: true, example: 'New York', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  city?: string;
  @ApiPropertyOptional({ nullable: true, example: 'NY', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  state?: string;
  @ApiPropertyOptional({ example: 'US', description: 'ISO 3166-1 alpha-2', pattern: '^[A-Z]{2}$' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code (two capital letters)' })
  country?: string;
  @ApiPropertyOptional({ nullable: true, example: 'Home', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  description?: string;
}

export class AddressesDto {
  @ApiPropertyOptional({ nullable: true, type: AddressDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AddressDto)
  primary?: AddressDto;
  @ApiPropertyOptional({ nullable: true, type: AddressDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AddressDto)
  additional1?: AddressDto;
  @ApiPropertyOptional({ nullable: true, type: AddressDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AddressDto)
  additional2?: AddressDto;
}

export class ContactDto {
  @ApiPropertyOptional({
    nullable: true,
    example: 'john.doe@example.com',
    description: HOLDER_PROTECTED_FIELDS.describe('contact.primaryEmail'),
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  primaryEmail?: string;
  @ApiPropertyOptional({
    nullable: true,
    example: 'john.doe@work.example.com',
    description: HOLDER_PROTECTED_FIELDS.describe('contact.secondaryEmail'),
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  secondaryEmail?: string;
  @ApiPropertyOptional({
    nullable: true,
    example: '+1555555555',
    description: HOLDER_PROTECTED_FIELDS.describe('contact.mobilePhone'),
  })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  mobilePhone?: string;
  @ApiPropertyOptional({
    nullable: true,
    example: '+1555555556',
    description: HOLDER_PROTECTED_FIELDS.describe('contact.otherPhone'),
  })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  otherPhone?: string;
}

export class NaturalPersonDto {
  @ApiPropertyOptional({
    nullable: true,
    example: 'John',
    description: HOLDER_PROTECTED_FIELDS.describe('naturalPerson.favoriteName'),
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  favoriteName?: string;
  @ApiPropertyOptional({
    nullable: true,
    example: 'John Doe',
    description: HOLDER_PROTECTED_FIELDS.describe('naturalPerson.socialName'),
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  socialName?: string;
  @ApiPropertyOptional({ nullable: true, example: 'Male' }) @IsOptional() @IsString() @MaxLength(50) gender?: string;
  @ApiPropertyOptional({
    nullable: true,
    format: 'date',
    example: '1990-01-01',
    description: HOLDER_PROTECTED_FIELDS.describe('naturalPerson.birthDate', 'YYYY-MM-DD, a real calendar date.'),
  })
  @IsOptional()
  @IsCalendarDate()
  birthDate?: string;
  @ApiPropertyOptional({ nullable: true, example: 'Single' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  civilStatus?: string;
  @ApiPropertyOptional({ nullable: true, example: 'Brazilian' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  nationality?: string;
  @ApiPropertyOptional({
    nullable: true,
    example: 'Jane Doe',
    description: HOLDER_PROTECTED_FIELDS.describe('naturalPerson.motherName'),
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  motherName?: string;
  @ApiPropertyOptional({
    nullable: true,
    example: 'John Doe Sr.',
    description: HOLDER_PROTECTED_FIELDS.describe('naturalPerson.fatherName'),
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  fatherName?: string;
  @ApiPropertyOptional({ nullable: true, example: 'Active' }) @IsOptional() @IsString() @MaxLength(50) status?: string;
}

export class RepresentativeDto {
  @ApiPropertyOptional({
    nullable: true,
    example: 'John Doe',
    description: HOLDER_PROTECTED_FIELDS.describe('legalPerson.representative.name'),
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  name?: string;
  @ApiPropertyOptional({
    nullable: true,
    example: '91315026015',
    description: HOLDER_PROTECTED_FIELDS.describe('legalPerson.representative.document'),
  })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  document?: string;
  @ApiPropertyOptional({
    nullable: true,
    example: 'john.doe@example.com',
    description: HOLDER_PROTECTED_FIELDS.describe('legalPerson.representative.email'),
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  email?: string;
  @ApiPropertyOptional({ nullable: true, example: 'CFO' }) @IsOptional() @IsString() @MaxLength(100) role?: string;
}

export class LegalPersonDto {
  @ApiPropertyOptional({ nullable: true, example: 'Lerian Studio' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  tradeName?: string;
  @ApiPropertyOptional({ nullable: true, example: 'Electronic devices development' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  activity?: string;
  @ApiPropertyOptional({ nullable: true, example: 'Limited Liability' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  type?: string;
  @ApiPropertyOptional({
    nullable: true,
    format: 'date',
    example: '2025-01-01',
    description: 'YYYY-MM-DD, a real calendar date.',
  })
  @IsOptional()
  @IsCalendarDate()
  foundingDate?: string;
  @ApiPropertyOptional({ nullable: true, example: 'Medium' }) @IsOptional() @IsString() @MaxLength(50) size?: string;
  @ApiPropertyOptional({ nullable: true, example: 'Active' }) @IsOptional() @IsString() @MaxLength(50) status?: string;
  @ApiPropertyOptional({ nullable: true, type: RepresentativeDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RepresentativeDto)
  representative?: RepresentativeDto;
}
