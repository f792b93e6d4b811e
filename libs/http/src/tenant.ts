import {
  applyDecorators,
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { validate as isUuid } from 'uuid';
import { CrmException } from '@crm/errors';

export const ORGANIZATION_HEADER = 'x-organization-id';

/** Who a business request acts for; every repository method takes it, so no query goes unscoped. */
export interface TenantContext {
  readonly organizationId: string;
}

type TenantRequest = { headers: Record<string, string | string[] | undefined>; tenant?: TenantContext };

/** Requires `X-Organization-Id` as a UUID and records it as the request's tenant. */
@Injectable()
export class OrganizationGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<TenantRequest>();
    const header = request.headers[ORGANIZATION_HEADER];
    const value = Array.isArray(header) ? header[0] : header;
    if (value === undefined || value === '') {
      throw new CrmException('CRM-0018', {
        message: 'The X-Organization-Id header is required.',
        fields: { 'X-Organization-Id': 'header is required' },
      });
    }
    if (!isUuid(value)) {
      throw new CrmException('CRM-0022', {
        message: 'The X-Organization-Id header must be a UUID.',
        fields: { 'X-Organization-Id': 'must be a UUID' },
      });
    }
    request.tenant = { organizationId: value.toLowerCase() };
    return true;
  }
}

/** Marks a controller as organization-scoped: guard plus its OpenAPI header. */
export const OrganizationScoped = () =>
  applyDecorators(
    UseGuards(OrganizationGuard),
    ApiHeader({
      name: 'X-Organization-Id',
      required: true,
      description: 'UUID of the organization the data belongs to.',
      schema: { type: 'string', format: 'uuid' },
    }),
  );

/** Injects the tenant recorded by `OrganizationGuard`. */
export const Tenant = createParamDecorator((_data: unknown, context: ExecutionContext): TenantContext => {
  const tenant = context.switchToHttp().getRequest<TenantRequest>().tenant;
  if (!tenant) throw new Error('Tenant() used on a route without @OrganizationScoped()');
  return tenant;
});
