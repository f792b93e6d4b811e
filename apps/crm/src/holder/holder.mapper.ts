import type { HolderResponseDto } from './dto/holder-response.dto';
import type { HolderRecord } from './holder.schema';

/**
 * The only way a stored holder leaves the service: fields are picked one by one, so tokens,
 * ciphertexts, key ids and internal fields (organizationId) can never reach a response.
 */
export function toHolderResponse(holder: HolderRecord): HolderResponseDto {
  return {
    id: holder._id,
    type: holder.type,
    name: holder.name,
    document: holder.document,
    // Absent optional fields are omitted, as the original does (deletedAt: null stays).
    ...(holder.externalId != null ? { externalId: holder.externalId } : {}),
    ...(holder.addresses ? { addresses: holder.addresses } : {}),
    ...(holder.contact ? { contact: holder.contact } : {}),
    ...(holder.naturalPerson ? { naturalPerson: holder.naturalPerson } : {}),
    ...(holder.legalPerson ? { legalPerson: holder.legalPerson } : {}),
    ...(holder.metadata ? { metadata: holder.metadata } : {}),
    createdAt: holder.createdAt.toISOString(),
    updatedAt: holder.updatedAt.toISOString(),
    deletedAt: holder.deletedAt ? holder.deletedAt.toISOString() : null,
  };
}
