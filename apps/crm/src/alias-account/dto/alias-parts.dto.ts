import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  Allow,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
  ValidationArguments,
} from 'class-validator';
import { CalendarDateFromDateTime, IsCalendarDate } from '@crm/http';
import { IsIdentifier } from '@crm/documents';
import { ALIAS_PROTECTED_FIELDS, RELATED_PARTY_ROLES, RelatedPartyRole } from '../alias-account.schema';

export class BankingDetailsDto {
  @ApiPropertyOptional({ nullable: true, example: '0001', maxLength: 50 })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  branch?: string;
  @ApiPropertyOptional({
    nullable: true,
    example: '123450',
    maxLength: 50,
    description: ALIAS_PROTECTED_FIELDS.describe('bankingDetails.account'),
  })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  @IsIdentifier()
  account?: string;
  @ApiPropertyOptional({ nullable: true, example: 'CACC', maxLength: 50 })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  type?: string;
  @ApiPropertyOptional({ nullable: true, format: 'date', example: '2025-01-01', description: 'YYYY-MM-DD' })
  @IsOptional()
  @IsCalendarDate()
  openingDate?: string;
  @ApiPropertyOptional({
    nullable: true,
    format: 'date',
    example: '2030-01-01',
    description: 'YYYY-MM-DD; not before the alias creation date (CRM-0023).',
  })
  @IsOptional()
  @IsCalendarDate()
  closingDate?: string;
  @ApiPropertyOptional({
    nullable: true,
    example: 'GB82WEST12345698765432',
    maxLength: 42,
    description: ALIAS_PROTECTED_FIELDS.describe('bankingDetails.iban'),
  })
  @IsOptional()
  @IsString()
  @MaxLength(42)
  @IsIdentifier()
  iban?: string;
  @ApiPropertyOptional({ example: 'BR', description: 'ISO 3166-1 alpha-2' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Z]{2}$/, { message: 'countryCode must be an ISO 3166-1 alpha-2 code (two capital letters)' })
  countryCode?: string;
  @ApiPropertyOptional({ nullable: true, example: '001', maxLength: 50 })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  bankId?: string;
}

export class RegulatoryFieldsDto {
  @ApiPropertyOptional({
    nullable: true,
    example: '12345678',
    maxLength: 50,
    description: ALIAS_PROTECTED_FIELDS.describe('regulatoryFields.participantDocument'),
  })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  @IsIdentifier()
  participantDocument?: string;
}

/** endDate, when given, is on or after startDate (CRM-0029). */
const NotBeforeStartDate = () =>
  ValidateBy(
    {
      name: 'notBeforeStartDate',
      validator: {
        validate: (value: unknown, args?: ValidationArguments) => {
          const startDate = (args?.object as { startDate?: unknown }).startDate;
          return typeof value !== 'string' || typeof startDate !== 'string' || value >= startDate;
        },
        defaultMessage: () => 'endDate must not be before startDate',
      },
    },
    { context: { code: 'CRM-0029' } },
  );

export class RelatedPartyDto {
  /** A client that sends back what it read includes the id: accepted and ignored (the party is appended with a new id), as the original. */
  @ApiPropertyOptional({ format: 'uuid', description: 'Ignored on input: related parties are appended with new ids.' })
  @Allow()
  @Transform(() => undefined)
  id?: string;

  @ApiProperty({
    example: '91315026015',
    maxLength: 50,
    description: ALIAS_PROTECTED_FIELDS.describe('relatedParties[].document'),
  })
  @IsString({ context: { code: 'CRM-0026' } })
  @IsNotEmpty({ context: { code: 'CRM-0026' } })
  @MaxLength(50)
  @IsIdentifier('CRM-0026')
  document!: string;

  @ApiProperty({
    example: 'Jane Doe',
    maxLength: 256,
    description: ALIAS_PROTECTED_FIELDS.describe('relatedParties[].name'),
  })
  @IsString({ context: { code: 'CRM-0027' } })
  @IsNotEmpty({ context: { code: 'CRM-0027' } })
  @MaxLength(256)
  name!: string;

  @ApiProperty({ enum: RELATED_PARTY_ROLES })
  @IsIn(RELATED_PARTY_ROLES, {
    context: { code: 'CRM-0025' },
    message: `role must be one of ${RELATED_PARTY_ROLES.join(', ')}`,
  })
  role!: RelatedPartyRole;

  @ApiProperty({
    format: 'date',
    example: '2025-01-01',
    description: 'YYYY-MM-DD (an RFC 3339 date-time is accepted and kept as its date).',
  })
  @CalendarDateFromDateTime()
  @IsNotEmpty({ context: { code: 'CRM-0028' } })
  @IsCalendarDate()
  startDate!: string;

  @ApiPropertyOptional({ format: 'date', example: '2026-01-01', description: 'YYYY-MM-DD, not before startDate.' })
  @CalendarDateFromDateTime()
  @IsOptional()
  @IsCalendarDate()
  @NotBeforeStartDate()
  endDate?: string;
}
