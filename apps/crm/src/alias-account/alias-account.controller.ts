import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiErrors,
  ApiMetadataFilters,
  ApiUuidParams,
  Caller,
  CallerContext,
  HardDeleteQuery,
  IncludeDeletedQuery,
  ListQueryPipe,
  OrganizationScoped,
  Tenant,
  TenantContext,
  UuidParamPipe,
  WithMetadataFilters,
} from '@crm/http';
import { PersonalDataAnswer, REVEAL_ERRORS } from '../auth/personal-data-access';
import { Authorize } from '../auth/permission';
import { IdempotentCreate, REPLAY_RESPONSE_HEADERS } from '../idempotency/idempotent-create.decorator';
import { CREATE_ALIAS_EXAMPLES, UPDATE_ALIAS_EXAMPLES } from './dto/alias-account-examples';
import { ListAliasAccountsQuery } from './dto/alias-account-queries.dto';
import { AliasAccountPageDto, AliasAccountResponseDto } from './dto/alias-account-response.dto';
import { CreateAliasAccountDto, UpdateAliasAccountDto } from './dto/create-alias-account.dto';
import { AliasAccountService } from './alias-account.service';
import { ALIAS_PROTECTED_FIELDS } from './alias-account.schema';

@ApiTags('Aliases')
@OrganizationScoped()
@ApiUuidParams('holder_id')
@Controller('v1/holders/:holder_id/aliases')
export class AliasAccountController {
  constructor(private readonly aliases: AliasAccountService) {}

  @Post()
  @Authorize('aliases', 'post')
  @PersonalDataAnswer(ALIAS_PROTECTED_FIELDS)
  @ApiOperation({
    summary: 'Create an alias account',
    description: 'Links a live holder to a Midaz ledger account; the ledger and account are checked in Midaz first.',
  })
  @ApiBody({ type: CreateAliasAccountDto, examples: CREATE_ALIAS_EXAMPLES })
  @IdempotentCreate()
  @ApiCreatedResponse({
    type: AliasAccountResponseDto,
    description:
      'Created: the alias as stored, with its new id (or, replayed, the first answer to this idempotency key).',
    headers: REPLAY_RESPONSE_HEADERS,
  })
  @ApiErrors(
    [
      'CRM-0005',
      'CRM-0001',
      'CRM-0002',
      'CRM-0012',
      'CRM-0023',
      'CRM-0025',
      'CRM-0026',
      'CRM-0027',
      'CRM-0028',
      'CRM-0029',
      'CRM-0034',
      'CRM-0006',
      'CRM-0013',
      'CRM-0030',
      'CRM-0031',
      'CRM-0032',
      'CRM-0040',
      'CRM-0050',
      'CRM-0051',
      ...REVEAL_ERRORS,
    ],
    { body: true },
  )
  create(
    @Tenant() tenant: TenantContext,
    @Param('holder_id', UuidParamPipe) holderId: string,
    @Body() body: CreateAliasAccountDto,
    @Caller() caller: CallerContext,
  ): Promise<AliasAccountResponseDto> {
    return this.aliases.create(tenant, holderId, body, caller);
  }

  @Get(':alias_id')
  @Authorize('aliases', 'get')
  @PersonalDataAnswer(ALIAS_PROTECTED_FIELDS)
  @ApiOperation({ summary: 'Retrieve an alias account' })
  @ApiUuidParams('alias_id')
  @ApiOkResponse({ type: AliasAccountResponseDto, description: 'The alias account.' })
  @ApiErrors(['CRM-0005', 'CRM-0008', 'CRM-0036', ...REVEAL_ERRORS])
  get(
    @Tenant() tenant: TenantContext,
    @Param('holder_id', UuidParamPipe) holderId: string,
    @Param('alias_id', UuidParamPipe) id: string,
    @Query() query: IncludeDeletedQuery,
  ): Promise<AliasAccountResponseDto> {
    return this.aliases.get(tenant, holderId, id, query.include_deleted === true);
  }

  @Patch(':alias_id')
  @Authorize('aliases', 'patch')
  @PersonalDataAnswer(ALIAS_PROTECTED_FIELDS)
  @ApiOperation({
    summary: 'Update an alias account (JSON merge patch)',
    description: 'bankingDetails, regulatoryFields and metadata merge (null removes); relatedParties are appended.',
  })
  @ApiUuidParams('alias_id')
  @ApiConsumes('application/json', 'application/merge-patch+json')
  @ApiBody({
    type: UpdateAliasAccountDto,
    examples: UPDATE_ALIAS_EXAMPLES,
    description: 'application/json or application/merge-patch+json',
  })
  @ApiOkResponse({ type: AliasAccountResponseDto, description: 'The alias account after the patch.' })
  @ApiErrors(
    [
      'CRM-0005',
      'CRM-0008',
      'CRM-0001',
      'CRM-0002',
      'CRM-0012',
      'CRM-0023',
      'CRM-0025',
      'CRM-0026',
      'CRM-0027',
      'CRM-0028',
      'CRM-0029',
      'CRM-0034',
      'CRM-0036',
      'CRM-0046',
      ...REVEAL_ERRORS,
    ],
    { body: true },
  )
  update(
    @Tenant() tenant: TenantContext,
    @Param('holder_id', UuidParamPipe) holderId: string,
    @Param('alias_id', UuidParamPipe) id: string,
    @Body() body: UpdateAliasAccountDto,
  ): Promise<AliasAccountResponseDto> {
    return this.aliases.update(tenant, holderId, id, body);
  }

  @Delete(':alias_id')
  @Authorize('aliases', 'delete')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an alias account', description: 'Soft delete unless hard_delete=true.' })
  @ApiUuidParams('alias_id')
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors(['CRM-0005', 'CRM-0008'])
  async delete(
    @Tenant() tenant: TenantContext,
    @Param('holder_id', UuidParamPipe) holderId: string,
    @Param('alias_id', UuidParamPipe) id: string,
    @Query() query: HardDeleteQuery,
  ): Promise<void> {
    await this.aliases.delete(tenant, holderId, id, query.hard_delete === true);
  }

  @Delete(':alias_id/related-parties/:related_party_id')
  @Authorize('aliases', 'delete')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a related party from an alias account' })
  @ApiUuidParams('alias_id', 'related_party_id')
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiErrors(['CRM-0005', 'CRM-0008', 'CRM-0024', 'CRM-0036', 'CRM-0046'])
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
@Controller('v1/aliases')
export class AliasAccountListController {
  constructor(private readonly aliases: AliasAccountService) {}

  @Get()
  @Authorize('aliases', 'get')
  @PersonalDataAnswer(ALIAS_PROTECTED_FIELDS)
  @ApiOperation({
    summary: 'List alias accounts',
    description:
      'Filters combine with AND. Document, account, IBAN and participant/related-party documents match through blind indexes, format-insensitively.',
  })
  @ApiQuery({ type: ListAliasAccountsQuery })
  @ApiMetadataFilters()
  @ApiOkResponse({ type: AliasAccountPageDto, description: 'One page of alias accounts.' })
  @ApiErrors(['CRM-0009', 'CRM-0011', 'CRM-0036', ...REVEAL_ERRORS])
  list(
    @Tenant() tenant: TenantContext,
    @Query(new ListQueryPipe(ListAliasAccountsQuery)) query: WithMetadataFilters<ListAliasAccountsQuery>,
  ): Promise<AliasAccountPageDto> {
    return this.aliases.list(tenant, query);
  }
}
