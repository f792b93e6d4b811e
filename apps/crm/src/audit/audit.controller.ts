import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, AppConfig } from '@crm/config';
import { ApiErrors, OrganizationScoped, pageOf, PageOf, resolvePaging, Tenant, TenantContext } from '@crm/http';
import { Authorize } from '../auth/permission';
import type { AuditEvent } from './audit-event.schema';
import { AuditEventsQuery } from './audit-events.query';
import { AuditRepository } from './audit.repository';

/** An audit event as answered: names and ids only. */
export type AuditEventResponse = Omit<AuditEvent, '_id' | 'organizationId'> & { id: string };

@ApiTags('Audit')
@OrganizationScoped()
@Controller('v1/audit-events')
export class AuditController {
  constructor(
    private readonly events: AuditRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Authorize('audit', 'get')
  @ApiOperation({
    summary: 'Audit trail: who read or changed a record',
    description:
      'Events of this organization, keyset-paged (`cursor`), filtered by resource id, actor, day window and whether the answer revealed masked personal data.',
  })
  @ApiErrors(['CRM-0009', 'CRM-0011'])
  @ApiOkResponse({
    description:
      '{items, page, limit, next_cursor?}; each item {id, time, actor, action, resourceType, resourceIds, count?, outcome, requestId, fields?, replay?, revealed?} (replay: true when an idempotent create answered with its first answer; revealed: {groups, reason} when the answer revealed masked personal data)',
  })
  async list(@Tenant() tenant: TenantContext, @Query() query: AuditEventsQuery): Promise<PageOf<AuditEventResponse>> {
    const paging = resolvePaging(query, this.config.maxPaginationLimit);
    const read = await this.events.page(
      tenant.organizationId,
      { resourceId: query.resource_id, actor: query.actor, revealed: query.revealed },
      paging,
    );
    return pageOf(paging, read, ({ _id, organizationId: _organization, ...event }) => ({ id: _id, ...event }));
  }
}
