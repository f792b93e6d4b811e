import { v7 as uuidv7 } from 'uuid';
import { BlindIndex } from './blind-index';
import { DecryptionError, ProtectedQueryError } from './errors';
import { FieldCipher, ProtectedValue } from './field-cipher';
import { NormalizerName } from './normalizers';
import { getIn, setIn } from './object-paths';
import { ProtectedFieldSpec } from './protected-fields';

export interface ProtectedField {
  spec: string;
  array?: string;
  leaf: string;
  normalizer?: NormalizerName;
  tokenPath?: string;
  scope: string;
  acceptsLegacyPlaintext: boolean;
}

/** How the protector reads and writes one record: a plain object, or a Mongoose document. */
export interface RecordAccess {
  get(path: string): unknown;
  set(path: string, value: unknown): void;
  /** Wraps an array element the same way. */
  element(item: unknown): RecordAccess;
  /** Forgets the modifications the protector itself made (documents only). */
  settle?(): void;
}

export function plainAccess(record: Record<string, unknown>): RecordAccess {
  return {
    get: (path) => getIn(record, path),
    set: (path, value) => setIn(record, path, value),
    element: (item) => plainAccess(item as Record<string, unknown>),
  };
}

/** A plaintext taken out of a record while its ciphertext is written, to be put back after. */
export interface SealedValue {
  access: RecordAccess;
  path: string;
  plaintext: unknown;
}

/** Which keys made the protected values and tokens of one stored record (see `FieldProtector.keyUsage`). */
export interface RecordKeyUsage {
  /** Envelope key id → values under it; `plaintext` counts values stored unencrypted. */
  encryption: Map<string, number>;
  /** Hash key id → tokens it made; `unknown` counts tokens no configured key makes from the stored value. */
  hashing: Map<string, number>;
  /** Every value is under the current encryption key and every token is what the current hash key gives. */
  current: boolean;
}

/** What a rotation writes into one record to move it under the current keys. */
export interface ResealUpdate {
  $set: Record<string, unknown>;
  $unset: Record<string, ''>;
}

const UNENCRYPTED = 'plaintext';
const UNKNOWN_HASH_KEY = 'unknown';

const isOperator = (key: string) => key.startsWith('$');
/** Top-level keys no record update writes: the identity every ciphertext is bound to, and the tokens. */
const UNWRITABLE_KEYS = new Set(['_id', 'organizationId', 'search']);
/** The top-level key a field's values sit under. */
const rootOf = (field: ProtectedField) => (field.array ?? field.leaf).split('.')[0];

/**
 * Encrypts, decrypts and indexes the protected fields of one collection. The Mongoose plugin drives
 * it from hooks; nothing outside this library calls it.
 */
export class FieldProtector {
  readonly fields: ProtectedField[];
  /** Paths the filter guard refuses: every protected path, and the array fields in dotted form. */
  private readonly protectedPaths: string[];

  constructor(
    readonly collection: string,
    specs: readonly ProtectedFieldSpec[],
    private readonly cipher: FieldCipher,
    private readonly blindIndex: BlindIndex,
  ) {
    this.fields = specs.map((spec) => {
      const [array, leaf] = spec.path.includes('[].') ? spec.path.split('[].') : [undefined, spec.path];
      return {
        spec: spec.path,
        array,
        leaf,
        normalizer: spec.search?.normalizer,
        tokenPath: spec.search ? `search.${spec.search.as}` : undefined,
        scope: BlindIndex.scope(collection, spec.path.replace('[]', '')),
        acceptsLegacyPlaintext: spec.acceptsLegacyPlaintext === true,
      };
    });
    this.protectedPaths = this.fields.map((field) => (field.array ? `${field.array}.${field.leaf}` : field.leaf));
  }

  /** Whether searches also try tokens of previous hash keys (configured during a rotation). */
  get searchesPreviousHashKeys(): boolean {
    return this.blindIndex.searchesPreviousKeys;
  }

  /** The filter that finds records by the blind index of a searchable field. */
  searchFilter(searchAs: string, organizationId: string, value: string): Record<string, unknown> {
    const field = this.fields.find((candidate) => candidate.tokenPath === `search.${searchAs}`);
    if (!field?.normalizer) throw new ProtectedQueryError(searchAs, 'is not a searchable field');
    const tokens = this.blindIndex.candidatesFor(field.scope, field.normalizer, organizationId, value);
    // One token (no previous hash key) is an equality: the same match, and a shape every engine's planner
    // serves from the token's index (SecantusDB scans the collection for an $in followed by a next key).
    return { [field.tokenPath!]: tokens.length === 1 ? tokens[0] : { $in: tokens } };
  }

  /**
   * Replaces plaintext by ciphertext (and writes tokens) in a record about to be stored.
   * `include` picks the fields to seal (on an update of a loaded document, the modified ones).
   */
  seal(record: RecordAccess, include: (field: ProtectedField) => boolean = () => true): SealedValue[] {
    const { organizationId, recordId } = this.identity(record);
    const sealed: SealedValue[] = [];
    for (const field of this.fields.filter(include)) {
      const tokens: string[] = [];
      for (const { access, aadPath } of this.locations(record, field, true)) {
        const plaintext = access.get(field.leaf);
        if (plaintext === undefined || plaintext === null) continue;
        access.set(
          field.leaf,
          this.cipher.encrypt(
            plaintext as ProtectedValue,
            FieldCipher.aad(organizationId, this.collection, recordId, aadPath),
          ),
        );
        sealed.push({ access, path: field.leaf, plaintext });
        if (field.normalizer)
          tokens.push(this.blindIndex.tokenFor(field.scope, field.normalizer, organizationId, searchText(plaintext)));
      }
      if (field.tokenPath) record.set(field.tokenPath, field.array ? tokens : tokens[0]);
    }
    return sealed;
  }

  /**
   * Replaces ciphertext by plaintext in a record read from the database. Fails closed, except for
   * legacy plaintext in fields that accept it: those fields are returned, to be sealed on the next save.
   */
  open(record: RecordAccess): ProtectedField[] {
    let identity: { organizationId: string; recordId: string } | undefined;
    const legacy = new Set<ProtectedField>();
    for (const field of this.fields) {
      for (const { access, aadPath } of this.locations(record, field, false)) {
        const stored = access.get(field.leaf);
        if (stored === undefined || stored === null) continue;
        if (field.acceptsLegacyPlaintext && !FieldCipher.looksEncrypted(stored)) {
          legacy.add(field);
          continue;
        }
        identity ??= this.identity(record);
        if (typeof stored !== 'string') throw new DecryptionError('not-encrypted');
        access.set(
          field.leaf,
          this.cipher.decrypt(
            stored,
            FieldCipher.aad(identity.organizationId, this.collection, identity.recordId, aadPath),
          ),
        );
      }
    }
    // Tokens only serve filters: no read carries them further.
    if (this.fields.some((field) => field.tokenPath)) record.set('search', undefined);
    return [...legacy];
  }

  /**
   * Reads a stored record (as the driver returns it, not modified) and tells which keys its values
   * and tokens were made with. Throws DecryptionError when a value cannot be read.
   */
  keyUsage(stored: Record<string, unknown>): RecordKeyUsage {
    const opened = structuredClone(stored);
    this.open(plainAccess(opened));
    const { organizationId } = this.identity(plainAccess(stored));
    const usage: RecordKeyUsage = { encryption: new Map(), hashing: new Map(), current: true };
    for (const field of this.fields) {
      for (const { access } of this.locations(plainAccess(stored), field, false)) {
        const value = access.get(field.leaf);
        if (value === undefined || value === null) continue;
        const keyId = FieldCipher.keyIdOf(value) ?? UNENCRYPTED;
        increment(usage.encryption, keyId);
        if (keyId !== this.cipher.currentKeyId) usage.current = false;
      }
      if (field.normalizer && !this.tokensAttributed(field, stored, opened, organizationId, usage.hashing))
        usage.current = false;
    }
    return usage;
  }

  /**
   * Counts which hash key made each stored token of a searchable field (recomputed from the opened
   * values under every configured key); true when the tokens are exactly what the current key gives.
   */
  private tokensAttributed(
    field: ProtectedField,
    stored: Record<string, unknown>,
    opened: Record<string, unknown>,
    organizationId: string,
    hashing: Map<string, number>,
  ): boolean {
    const plaintexts: string[] = [];
    for (const { access } of this.locations(plainAccess(opened), field, false)) {
      const plaintext = access.get(field.leaf);
      if (plaintext !== undefined && plaintext !== null) plaintexts.push(searchText(plaintext));
    }
    const storedTokens = tokenList(getIn(stored, field.tokenPath!));
    for (const token of storedTokens) {
      const keyId = plaintexts
        .map((plaintext) => this.blindIndex.keyIdOf(token, field.scope, field.normalizer!, organizationId, plaintext))
        .find(Boolean);
      increment(hashing, keyId ?? UNKNOWN_HASH_KEY);
    }
    const expected = plaintexts.map((plaintext) =>
      this.blindIndex.tokenFor(field.scope, field.normalizer!, organizationId, plaintext),
    );
    return storedTokens.length === expected.length && storedTokens.every((token, i) => token === expected[i]);
  }

  /**
   * The update that moves a stored record under the current keys: every protected value decrypted
   * and encrypted again with the same binding, every token recomputed. Whatever `open` can read is
   * re-sealed; a value it cannot read throws DecryptionError and nothing is produced.
   */
  resealUnderCurrentKeys(stored: Record<string, unknown>): ResealUpdate {
    const record = structuredClone(stored);
    this.open(plainAccess(record));
    this.seal(plainAccess(record));
    const update: ResealUpdate = { $set: {}, $unset: {} };
    for (const path of this.storedRoots()) {
      const value = getIn(record, path);
      if (value !== undefined && value !== null) update.$set[path] = value;
    }
    for (const field of this.fields) {
      if (!field.tokenPath) continue;
      const token = getIn(record, field.tokenPath);
      if (token !== undefined) update.$set[field.tokenPath] = token;
      else if (getIn(stored, field.tokenPath) !== undefined) update.$unset[field.tokenPath] = '';
    }
    return update;
  }

  /**
   * Seals, in place, the protected values under the given top-level keys of an opened record (bound as
   * `seal` binds them; array elements without an id get one) and gives the update that writes those keys:
   * each key set, or unset when the record lacks it, and the tokens of every field under them. Put the
   * returned plaintexts back once written. Keys the service may not write (ids, tokens, operators,
   * dotted paths) are refused: the whole value of a key is written, so it is sealed as a whole. The keys
   * holding `legacy` fields (read as legacy plaintext, see `open`) are written too, whatever changed.
   */
  sealKeys(
    record: Record<string, unknown>,
    changed: readonly string[],
    legacy: readonly ProtectedField[] = [],
  ): { update: ResealUpdate; sealed: SealedValue[] } {
    const keys = new Set([...changed, ...legacy.map(rootOf)]);
    for (const key of keys) {
      if (UNWRITABLE_KEYS.has(key) || isOperator(key) || key.includes('.'))
        throw new ProtectedQueryError(this.collection, `${key} is not a field a record update may write`);
    }
    const under = (field: ProtectedField) => keys.has(rootOf(field));
    const sealed = this.seal(plainAccess(record), under);
    const update: ResealUpdate = { $set: {}, $unset: {} };
    for (const key of keys) {
      if (record[key] === undefined) update.$unset[key] = '';
      else update.$set[key] = record[key];
    }
    for (const field of this.fields.filter(under)) {
      if (!field.tokenPath) continue;
      const token = getIn(record, field.tokenPath);
      if (token === undefined) update.$unset[field.tokenPath] = '';
      else update.$set[field.tokenPath] = token;
    }
    return { update, sealed };
  }

  /** The top-most stored paths that hold protected values: each field, or the whole array of an array field. */
  storedRoots(): string[] {
    return [...new Set(this.fields.map((field) => field.array ?? field.leaf))];
  }

  /** Where a field's values sit in a record: the field itself, or that field of every array element. */
  private *locations(
    record: RecordAccess,
    field: ProtectedField,
    assignIds: boolean,
  ): Generator<{ access: RecordAccess; aadPath: string }> {
    if (!field.array) {
      yield { access: record, aadPath: field.leaf };
      return;
    }
    for (const item of (record.get(field.array) as unknown[] | undefined) ?? []) {
      const element = record.element(item);
      // Array elements bind their ciphertexts to their own id, not to a position that can shift.
      if (assignIds && element.get('_id') == null) element.set('_id', uuidv7());
      yield { access: element, aadPath: `${field.array}.${String(element.get('_id'))}.${field.leaf}` };
    }
  }

  /** Throws when a filter compares a protected path with a value: ciphertext never equals plaintext. */
  assertFilter(filter: unknown, where = 'filter'): void {
    if (!filter || typeof filter !== 'object') return;
    for (const [key, value] of Object.entries(filter)) {
      if (key === '$and' || key === '$or' || key === '$nor') {
        for (const branch of value as unknown[]) this.assertFilter(branch, where);
        continue;
      }
      // $elemMatch on a protected array: its keys are relative to the array's elements.
      if (
        this.fields.some((field) => field.array === key) &&
        value &&
        typeof value === 'object' &&
        '$elemMatch' in value
      ) {
        const conditions = Object.entries((value as { $elemMatch: object }).$elemMatch);
        this.assertFilter(
          Object.fromEntries(
            conditions.map(([path, condition]) => [isOperator(path) ? path : `${key}.${path}`, condition]),
          ),
          where,
        );
        continue;
      }
      const touched = this.protectedPaths.find(
        (path) => path === key || path.startsWith(`${key}.`) || key.startsWith(`${path}.`),
      );
      if (touched && !isExistenceCheck(value)) {
        throw new ProtectedQueryError(
          touched,
          `${where} compares it with a value; search through its blind index instead`,
        );
      }
    }
  }

  /** Whether an update payload (operators, a replacement, or a pipeline of them) writes a protected path. */
  touchesProtected(update: unknown): boolean {
    if (Array.isArray(update)) return update.some((stage) => this.touchesProtected(stage));
    if (!update || typeof update !== 'object') return false;
    return Object.entries(update).some(([key, value]) =>
      isOperator(key) ? Object.keys((value as object) ?? {}).some((path) => this.writes(path)) : this.writes(key),
    );
  }

  /** Whether writing `path` writes a protected field: the field (or its array), an object holding it, or a part of it. */
  private writes(path: string): boolean {
    if (path === 'search' || path.startsWith('search.')) return true; // tokens are the plugin's to write
    return this.storedRoots().some(
      (root) => root === path || root.startsWith(`${path}.`) || path.startsWith(`${root}.`),
    );
  }

  private identity(record: RecordAccess): { organizationId: string; recordId: string } {
    const organizationId = record.get('organizationId');
    const recordId = record.get('_id');
    if (typeof organizationId !== 'string' || (typeof recordId !== 'string' && typeof recordId !== 'number')) {
      throw new ProtectedQueryError(
        this.collection,
        'records with protected fields need organizationId and _id (keep them in projections)',
      );
    }
    return { organizationId, recordId: String(recordId) };
  }
}

function increment(counts: Map<string, number>, id: string): void {
  counts.set(id, (counts.get(id) ?? 0) + 1);
}

/** Stored tokens as a list: a scalar token, an array of them, or none (absent, null or empty). */
function tokenList(stored: unknown): unknown[] {
  if (stored === undefined || stored === null) return [];
  return Array.isArray(stored) ? stored : [stored];
}

/** The text a searchable value is hashed as: searchable fields hold strings (identifiers, e-mails, phones). */
function searchText(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TypeError('a searchable field holds text, not an object');
}

function isExistenceCheck(value: unknown): boolean {
  return !!value && typeof value === 'object' && Object.keys(value).length === 1 && '$exists' in value;
}
