import { MaskKind, maskNote } from '@crm/personal-data';
import { NormalizerName } from './normalizers';

/** How a protected field is searched: its blind-index token, stored as `search.<as>`, of the value normalized so. */
export interface SearchSpec {
  /** The search name: the token's place under `search` and what repositories filter by. Never change it once stored. */
  as: string;
  /** Applied to the stored value and to the search input alike, so formats find each other. */
  normalizer: NormalizerName;
  /** The list query parameter that searches it (documentation: OpenAPI descriptions, docs/data-protection.md). */
  filter?: string;
}

/** A protected field as an entity declares it: encrypted at rest, and searchable when `search` is given. */
export interface ProtectedFieldSpec {
  /** `name`, `contact.primaryEmail`, or `relatedParties[].document` for a field of every array element. */
  path: string;
  search?: SearchSpec;
  /**
   * For fields encrypted only since a later version: a stored value that is not an encrypted envelope
   * is plaintext an older version wrote. It is read as it is and encrypted on the record's next save.
   * Fields encrypted from the start leave this off, so a plaintext there still fails closed.
   */
  acceptsLegacyPlaintext?: boolean;
  /**
   * How it is answered with PERSONAL_DATA_ACCESS=masked, which also decides the field group that reveals it.
   * Every field an answer carries declares one (a test generated from the declarations checks it).
   */
  mask?: MaskKind;
  /** Why it is protected, for the protected-fields table in docs/data-protection.md (the entities' declarations all say). */
  why?: string;
}

/** The search names a list of declarations gives (a union of literals when declared `as const`). */
type SearchNameOf<Spec> = Spec extends { readonly search: { readonly as: infer Name extends string } } ? Name : never;
/** The list query parameters a list of declarations names. */
type FilterOf<Spec> = Spec extends { readonly search: { readonly filter: infer Name extends string } } ? Name : never;

/**
 * The protected fields of one entity, declared once. The declarations drive the crypto plugin (what to
 * encrypt and index), the schema's token indexes (`tokenPath`), the repository's filter names (`Search`:
 * a misspelt name does not compile), the masks of answers (`mask`), the OpenAPI descriptions of the DTO properties (`describe`) and the
 * protected-fields table in docs/data-protection.md.
 */
export class ProtectedFields<
  Search extends string = string,
  Path extends string = string,
  Filter extends string = string,
> {
  constructor(readonly specs: readonly ProtectedFieldSpec[]) {
    const names = specs.flatMap((spec) => (spec.search ? [spec.search.as] : []));
    const repeated = names.find((name, index) => names.indexOf(name) !== index);
    if (repeated) throw new Error(`search name "${repeated}" is declared twice`);
  }

  /** Every search name, in declaration order. */
  get searchNames(): Search[] {
    return this.specs.flatMap((spec) => (spec.search ? [spec.search.as as Search] : []));
  }

  /** Where the tokens of a search name are stored (for index declarations). */
  tokenPath(name: Search): string {
    if (!this.specs.some((spec) => spec.search?.as === name))
      throw new Error(`"${name}" is not a declared search name`);
    return `search.${name}`;
  }

  /**
   * The searches a list query asks for, by search name: each declared `filter` parameter that is present.
   * Typed by the declared filters, so a list query type lacking one of them does not compile.
   */
  searchesIn<Query extends { readonly [name in Filter]?: string }>(
    query: Query & { readonly [missing in Exclude<Filter, keyof Query>]: never },
  ): Partial<Record<Search, string>> {
    const searches: Partial<Record<Search, string>> = {};
    for (const { search } of this.specs) {
      const value = search?.filter ? (query as Record<string, string | undefined>)[search.filter] : undefined;
      if (value !== undefined) searches[search!.as as Search] = value;
    }
    return searches;
  }

  /** The OpenAPI description of a list query parameter that searches a protected field: `text`, then how it matches. */
  describeFilter(filter: Filter, text?: string): string {
    const spec = this.specs.find((candidate) => candidate.search?.filter === filter);
    if (!spec) throw new Error(`"${filter}" is not a declared filter`);
    const how = `Exact match on \`${spec.path}\` after ${spec.search!.normalizer} normalization, through its blind index.`;
    return [text, how].filter(Boolean).join(' ');
  }

  /** The OpenAPI description of the property holding a protected field: `text`, then how it is protected. */
  describe(path: Path, text?: string): string {
    const spec = this.specs.find((candidate) => candidate.path === path);
    if (!spec) throw new Error(`"${path}" is not a declared protected field`);
    return [text, protectionNote(spec)].filter(Boolean).join(' ');
  }
}

/** How a field is protected, in words (the OpenAPI descriptions and docs/data-protection.md say the same). */
export function protectionNote(spec: ProtectedFieldSpec): string {
  const masked = spec.mask ? ` ${maskNote(spec.mask)}` : '';
  if (!spec.search) return `Encrypted at rest.${masked}`;
  const by = spec.search.filter ? ` with \`?${spec.search.filter}=\`` : '';
  return `Encrypted at rest; searchable${by} (exact match after ${spec.search.normalizer} normalization, through a blind index).${masked}`;
}

/** Declares an entity's protected fields; `as const` is implied, so search names and paths stay literal types. */
export function protectedFields<const Specs extends readonly ProtectedFieldSpec[]>(
  specs: Specs,
): ProtectedFields<SearchNameOf<Specs[number]>, Specs[number]['path'], FilterOf<Specs[number]>> {
  return new ProtectedFields(specs);
}
