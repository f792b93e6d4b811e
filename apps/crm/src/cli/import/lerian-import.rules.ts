import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { AppConfig } from '@crm/config';
import { validationErrorToException } from '@crm/http';
import { identifierProblem, isValidCnpj, isValidCpf } from '@crm/documents';
import { isLoggableMetadataKey, personalDataKind } from '@crm/personal-data';
import type { AliasAccountRecord } from '../../alias-account/alias-account.schema';
import { CreateAliasAccountDto } from '../../alias-account/dto/create-alias-account.dto';
import { CreateHolderDto } from '../../holder/dto/create-holder.dto';
import type { HolderRecord } from '../../holder/holder.schema';

/** Record fields that are not part of a create body: identity and timestamps, kept as stored. */
const ENVELOPE_FIELDS = ['_id', 'organizationId', 'createdAt', 'updatedAt', 'deletedAt'];
/** Alias fields this service copies from the holder instead of taking them from a body. */
const ALIAS_COPIED_FIELDS = ['holderId', 'type', 'document'];

const withoutKeys = (record: object, keys: string[]) =>
  Object.fromEntries(Object.entries(record).filter(([key]) => !keys.includes(key)));

/**
 * What our create endpoint would answer for this body: the same DTO class and the same strict options
 * as the global validation pipe. Reasons name the error code and field paths, never a value.
 */
async function bodyProblems(dto: new () => object, body: Record<string, unknown>): Promise<string[]> {
  const errors = await validate(plainToInstance(dto, body), {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  });
  if (errors.length === 0) return [];
  const refusal = validationErrorToException(errors);
  return [`${refusal.code} ${Object.keys(refusal.details.fields ?? {}).join(', ') || refusal.message}`.trim()];
}

function metadataProblems(metadata: unknown, config: AppConfig): string[] {
  if (config.metadataPiiGuard !== 'reject' || !metadata || typeof metadata !== 'object') return [];
  // A key can itself be personal data: it is named only when it passes the same check as in logs.
  const keys = Object.entries(metadata as Record<string, string | number | boolean | null>)
    .filter(([, value]) => personalDataKind(value) !== undefined)
    .map(([key]) => `metadata.${isLoggableMetadataKey(key) ? key : '[REDACTED]'}`);
  return keys.length > 0 ? [`CRM-0034 ${keys.join(', ')} look like personal data`] : [];
}

/** Why this service would refuse to store the holder (empty when it would accept it). */
export async function holderProblems(holder: HolderRecord, config: AppConfig): Promise<string[]> {
  const problems = await bodyProblems(CreateHolderDto, withoutKeys(holder, ENVELOPE_FIELDS));
  if (holder.type === 'LEGAL_PERSON' && holder.naturalPerson)
    problems.push('CRM-0004 naturalPerson on a LEGAL_PERSON holder');
  if (holder.type === 'NATURAL_PERSON' && holder.legalPerson)
    problems.push('CRM-0004 legalPerson on a NATURAL_PERSON holder');
  if (config.documentValidation === 'br' && typeof holder.document === 'string') {
    if (holder.type === 'NATURAL_PERSON' && !isValidCpf(holder.document))
      problems.push('CRM-0033 document is not a valid CPF');
    if (holder.type === 'LEGAL_PERSON' && !isValidCnpj(holder.document))
      problems.push('CRM-0033 document is not a valid CNPJ');
  }
  return [...problems, ...metadataProblems(holder.metadata, config)];
}

/** Why this service would refuse to store the alias (its holder's state is judged by the planner). */
export async function aliasProblems(alias: AliasAccountRecord, config: AppConfig): Promise<string[]> {
  const body = withoutKeys(alias, [...ENVELOPE_FIELDS, ...ALIAS_COPIED_FIELDS]);
  if (Array.isArray(body.relatedParties))
    body.relatedParties = (body.relatedParties as Array<Record<string, unknown>>).map((party) =>
      withoutKeys(party, ['_id']),
    );
  const problems = await bodyProblems(CreateAliasAccountDto, body);
  if (typeof alias.document !== 'string' || identifierProblem(alias.document))
    problems.push('document is missing or not an identifier once normalized');
  if (typeof alias.type !== 'string' || alias.type === '') problems.push('type is missing');
  if ((alias.relatedParties ?? []).some((party) => typeof party._id !== 'string'))
    problems.push('a related party has no id');
  const closingDate = alias.bankingDetails?.closingDate;
  if (closingDate && closingDate < alias.createdAt.toISOString().slice(0, 10))
    problems.push('CRM-0023 bankingDetails.closingDate is before the creation date');
  return [...problems, ...metadataProblems(alias.metadata, config)];
}
