import { Inject, Injectable, Logger, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@crm/config';
import { CrmException } from '@crm/errors';
import { PersonalDataKind, personalDataKind, personalDataKindIn } from './personal-data';

interface Finding {
  /** The key, when it may be named; undefined when the key itself is the personal data. */
  key?: string;
  kind: PersonalDataKind;
}

/** Flat metadata as a body carries it (validated elsewhere): key → string, number, boolean or null. */
type FlatMetadata = Readonly<Record<string, string | number | boolean | null>>;

function findingsOf(metadata: FlatMetadata): Finding[] {
  const findings: Finding[] = [];
  for (const [key, value] of Object.entries(metadata)) {
    const keyKind = personalDataKindIn(key);
    const valueKind = personalDataKind(value);
    if (keyKind) findings.push({ kind: keyKind });
    else if (valueKind) findings.push({ key, kind: valueKind });
  }
  return findings;
}

/**
 * Metadata is stored in plain text by design. Keys and values that look like personal data are logged
 * as a warning (naming only the keys that are not personal data themselves, never a value) or rejected
 * with 400 CRM-0034, per METADATA_PII_GUARD. A policy the services apply, not a Nest guard.
 */
@Injectable()
export class MetadataPersonalDataPolicy {
  private readonly logger = new Logger('MetadataPersonalDataPolicy');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * The check as one of a patch's rules, run on the record the patch loads (so that a missing record
   * answers 404 first): at most once however often the patch is applied again, as the metadata is the
   * request's and a warning is logged once.
   */
  checkOnce(metadata: FlatMetadata | null | undefined, entityType: string): () => void {
    let checked = false;
    return () => {
      if (!checked) this.check(metadata, entityType);
      checked = true;
    };
  }

  check(metadata: FlatMetadata | null | undefined, entityType: string): void {
    if (!metadata || this.config.metadataPiiGuard === 'off') return;
    const findings = findingsOf(metadata);
    if (findings.length === 0) return;
    const inKeys = findings.filter((finding) => finding.key === undefined);
    const inValues = findings.filter((finding) => finding.key !== undefined);
    if (this.config.metadataPiiGuard === 'reject') {
      const fields = Object.fromEntries(
        inValues.map(({ key, kind }) => [
          `metadata.${key}`,
          `looks like personal data (${kind}); metadata is stored in plain text`,
        ]),
      );
      if (inKeys.length > 0)
        fields.metadata = `${inKeys.length} key(s) look like personal data (${kindsOf(inKeys)}); metadata keys are stored in plain text`;
      throw new CrmException('CRM-0034', {
        entityType,
        message: 'A metadata key or value looks like personal data; metadata is stored in plain text.',
        fields,
      });
    }
    this.logger.warn(
      {
        entityType,
        metadataKeys: inValues.map(({ key }) => key),
        kinds: inValues.map(({ kind }) => kind),
        keysLookingPersonal: inKeys.length,
        keyKinds: inKeys.map(({ kind }) => kind),
      },
      'metadata looks like personal data (stored in plain text)',
    );
  }
}

const kindsOf = (findings: Finding[]) => [...new Set(findings.map(({ kind }) => kind))].join(', ');

/** Provides the one MetadataPersonalDataPolicy every module that stores metadata shares. */
@Module({ providers: [MetadataPersonalDataPolicy], exports: [MetadataPersonalDataPolicy] })
export class PersonalDataModule {}
