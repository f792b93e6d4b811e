import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@crm/config';
import { CrmException, Metadata } from '@crm/http';
import { personalDataKind } from './personal-data';

/**
 * Metadata is stored in plain text by design. Values that look like personal data are logged as a
 * warning (by key name only: never the value) or rejected with 400 CRM-0034, per METADATA_PII_GUARD.
 */
@Injectable()
export class MetadataPiiGuard {
  private readonly logger = new Logger('MetadataPiiGuard');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  check(metadata: Metadata | null | undefined, entityType: string): void {
    if (!metadata || this.config.metadataPiiGuard === 'off') return;
    const findings = Object.entries(metadata)
      .map(([key, value]) => [key, personalDataKind(value)] as const)
      .filter((finding): finding is readonly [string, NonNullable<ReturnType<typeof personalDataKind>>] => finding[1] !== undefined);
    if (findings.length === 0) return;
    if (this.config.metadataPiiGuard === 'reject') {
      throw new CrmException('CRM-0034', { entityType, fields: Object.fromEntries(findings.map(([key, kind]) => [`metadata.${key}`, `looks like personal data (${kind}); metadata is stored in plain text`])) });
    }
    this.logger.warn({ entityType, metadataKeys: findings.map(([key]) => key), kinds: findings.map(([, kind]) => kind) }, 'metadata values look like personal data (stored in plain text)');
  }
}
