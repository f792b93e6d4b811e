import type { AppConfig } from '@crm/config';
import { CrmException } from '@crm/errors';
import { CrmValidationPipe, jsonShapeProblem } from '@crm/http';
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

/** The API's global validation pipe: the same DTO rules, options and error codes as a create request. */
const apiValidation = new CrmValidationPipe();

const isObject = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value);

const withoutKeys = (record: object, keys: string[]) =>
  Object.fromEntries(Object.entries(record).filter(([key]) => !keys.includes(key)));

/**
 * The API's first check of a request body (the JSON shape pipe: NUL, lone surrogates, reserved keys,
 * depth, size) over the whole record, copied fields included, as the API's copies come from bodies it
 * checked. Named by the top-level field, never by a value.
 */
function shapeProblem(record: object): string | undefined {
  const problem = jsonShapeProblem(record);
  if (!problem) return undefined;
  const field = Object.entries(record as Record<string, unknown>).find(([key, value]) =>
    jsonShapeProblem({ [key]: value }),
  )?.[0];
  return `${problem.code} ${field ? `${field}: ` : ''}${problem.message}`;
}

/** What our create endpoint would answer for this body. Reasons name the error code and field paths, never a value. */
async function bodyProblems(dto: new () => object, body: Record<string, unknown>): Promise<string[]> {
  try {
    await apiValidation.transform(body, { type: 'body', metatype: dto });
    return [];
  } catch (error) {
    if (!(error instanceof CrmException)) throw error;
    return [`${error.code} ${Object.keys(error.details.fields ?? {}).join(', ') || error.message}`.trim()];
  }
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
  const refused = shapeProblem(holder);
  if (refused) return [refused];
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
  const refused = shapeProblem(alias);
  if (refused) return [refused];
  const body = withoutKeys(alias, [...ENVELOPE_FIELDS, ...ALIAS_COPIED_FIELDS]);
  // A body carries related parties without ids (this service assigns them); anything else goes as it is, to be refused.
  if (Array.isArray(body.relatedParties))
    body.relatedParties = body.relatedParties.map((party: unknown) =>
      isObject(party) ? withoutKeys(party, ['_id']) : party,
    );
  const problems = await bodyProblems(CreateAliasAccountDto, body);
  if (typeof alias.document !== 'string' || identifierProblem(alias.document))
    problems.push('document is missing or not an identifier once normalized');
  if (typeof alias.type !== 'string' || alias.type === '') problems.push('type is missing');
  const parties: unknown = alias.relatedParties;
  if (Array.isArray(parties) && parties.some((party) => isObject(party) && typeof party._id !== 'string'))
    problems.push('a related party has no id');
  const closingDate = alias.bankingDetails?.closingDate;
  if (closingDate && closingDate < alias.createdAt.toISOString().slice(0, 10))
    problems.push('CRM-0023 bankingDetails.closingDate is before the creation date');
  return [...problems, ...metadataProblems(alias.metadata, config)];
}
