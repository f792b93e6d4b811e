import type { AliasAccountResponseDto, RelatedPartyResponseDto } from './dto/alias-account-response.dto';
import type { AliasAccountRecord, RelatedPartyRecord } from './alias-account.schema';

function toRelatedPartyResponse(party: RelatedPartyRecord): RelatedPartyResponseDto {
  return {
    id: party._id,
    document: party.document,
    name: party.name,
    role: party.role,
    startDate: party.startDate,
    ...(party.endDate ? { endDate: party.endDate } : {}),
  };
}

/** The only way a stored alias leaves the service: fields picked one by one (no tokens, no ciphertext). */
export function toAliasAccountResponse(alias: AliasAccountRecord): AliasAccountResponseDto {
  return {
    id: alias._id,
    holderId: alias.holderId,
    ledgerId: alias.ledgerId,
    accountId: alias.accountId,
    type: alias.type,
    document: alias.document,
    ...(alias.bankingDetails ? { bankingDetails: alias.bankingDetails } : {}),
    ...(alias.regulatoryFields ? { regulatoryFields: alias.regulatoryFields } : {}),
    // Absent optional fields are omitted, as the original does (deletedAt: null stays).
    ...(alias.relatedParties?.length ? { relatedParties: alias.relatedParties.map(toRelatedPartyResponse) } : {}),
    ...(alias.metadata ? { metadata: alias.metadata } : {}),
    createdAt: alias.createdAt.toISOString(),
    updatedAt: alias.updatedAt.toISOString(),
    deletedAt: alias.deletedAt ? alias.deletedAt.toISOString() : null,
  };
}
