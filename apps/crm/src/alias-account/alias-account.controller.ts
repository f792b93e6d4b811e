import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiServiceUnavailableResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Caller, CallerContext, HardDeleteQuery, IncludeDeletedQuery, ListQueryPipe, OrganizationScoped, Tenant, TenantContext, UuidParamPipe, WithMetadataFilters } from '@crm/http';
import { Authorize } from '../auth/permission';
import { ListAliasAccountsQuery } from './dto/alias-account-queries.dto';
import { AliasAccountPageDto, AliasAccountResponseDto } from './dto/alias-account-response.dto';
import { CreateAliasAccountDto, UpdateAliasAccountDto } from './dto/create-alias-account.dto';
import { AliasAccountService } from './alias-account.service';

const ERROR_DESCRIPTION = 'Error envelope {code, title, message, entityType?, fields?}';

@ApiTags('Aliases')
@OrganizationScoped()
@ApiBadRequestResponse({ description: ERROR_DESCRIPTION })
@Controller('v1/holders/:holder_id/aliases')
export class AliasAccountController {
  constructor(private readonly aliases: AliasAccountService) {}

  @Post()
  @Authorize('aliases', 'post')
  @ApiOperation({ summary: 'Create an alias account', description: 'Links a live holder to a Midaz ledger account; the ledger and account are checked in Midaz first.' })
  @ApiCreatedResponse({ type: AliasAccountResponseDto })
  @ApiNotFoundResponse({ description: 'CRM-0006: holder not found' })
  @ApiConflictResponse({ description: 'CRM-0013: the ledger account already has a live alias' })
  @ApiUnprocessableEntityResponse({ description: 'CRM-0030 ledger / CRM-0031 account not found in Midaz' })
  @ApiServiceUnavailableResponse({ description: 'CRM-0032: Midaz unavailable; nothing was stored' })
  create(@Tenant() tenant: TenantContext, @Param('holder_id', UuidParamPipe) holderId: string, @Body() body: CreateAliasAccountDto, @Caller() caller: CallerContext): Promise<AliasAccountResponseDto> {
    return this.aliases.create(tenant, holderId, body, caller);
  }

  @Get(':alias_id')
  @Authorize('aliases', 'get')
  @ApiOperation({ summary: 'Retrieve an alias account' })
  @ApiOkResponse({ type: AliasAccountResponseDto })
  @ApiNotFoundResponse({ description: 'CRM-0008' })
  get(@Tenant() tenant: TenantContext, @Param('holder_id', UuidParamPipe) holderId: string, @Param('alias_id', UuidParamPipe) id: string, @Query() query: IncludeDeletedQuery): Promise<AliasAccountResponseDto> {
    return this.aliases.get(tenant, holderId, id, query.include_deleted === true);
  }

  @Patch(':alias_id')
  @Authorize('aliases', 'patch')
  @ApiOperation({ summary: 'Update an alias account (JSON merge patch)', description: 'bankingDetails, regulatoryFields and metadata merge (null removes); relatedParties are appended.' })
  @ApiOkResponse({ type: AliasAccountResponseDto })
  @ApiNotFoundResponse({ description: 'CRM-0008' })
  update(@Tenant() tenant: TenantContext, @Param('holder_id', UuidParamPipe) holderId: string, @Param('alias_id', UuidParamPipe) id: string, @Body() body: UpdateAliasAccountDto): Promise<AliasAccountResponseDto> {
    return this.aliases.update(tenant, holderId, id, body);
  }

  @Delete(':alias_id')
  @Authorize('aliases', 'delete')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an alias account', description: 'Soft delete unless hard_delete=true.' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'CRM-0008' })
  async delete(@Tenant() tenant: TenantContext, @Param('holder_id', UuidParamPipe) holderId: string, @Param('alias_id', UuidParamPipe) id: string, @Query() query: HardDeleteQuery): Promise<void> {
    await this.aliases.delete(tenant, holderId, id, query.hard_delete === true);
  }

  @Delete(':alias_id/related-parties/:related_party_id')
  @Authorize('aliases', 'delete')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a related party from an alias account' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'CRM-0008 alias / CRM-0024 related party not found' })
  async deleteRelatedParty(
    @Tenant() tenant: TenantContext,
    @Param('holder_id', UuidParamPipe) holderId: string,
    @Param('alias_id', UuidParamPipe) id: string,
    @Param('related_party_id', UuidParamPipe) partyId: string,
  ): Promise<void> {
    await this.aliases.deleteRelatedParty(tenant, holderId, id, partyId);
  }
}

@ApiTags('Aliases')
@OrganizationScoped()
@ApiBadRequestResponse({ description: ERROR_DESCRIPTION })
@Controller('v1/aliases')
export class AliasAccountListController {
  constructor(private readonly aliases: AliasAccountService) {}

  @Get()
  @Authorize('aliases', 'get')
  @ApiOperation({ summary: 'List alias accounts', description: 'Filters combine with AND. Document, account, IBAN and participant/related-party documents match through blind indexes, format-insensitively.' })
  @ApiQuery({ type: ListAliasAccountsQuery })
  @ApiQuery({ name: 'metadata.<key>', required: false, description: 'Metadata filter, e.g. metadata.channel=app', schema: { type: 'string' } })
  @ApiOkResponse({ type: AliasAccountPageDto })
  list(@Tenant() tenant: TenantContext, @Query(new ListQueryPipe(ListAliasAccountsQuery)) query: WithMetadataFilters<ListAliasAccountsQuery>): Promise<AliasAccountPageDto> {
    return this.aliases.list(tenant, query);
  }
}
