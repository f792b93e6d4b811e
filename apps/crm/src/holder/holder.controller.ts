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
import { CreateHolderDto } from './dto/create-holder.dto';
import { CREATE_HOLDER_EXAMPLES, UPDATE_HOLDER_EXAMPLES } from './dto/holder-examples';
import { ListHoldersQuery } from './dto/holder-queries.dto';
import { HolderPageDto, HolderResponseDto } from './dto/holder-response.dto';
import { UpdateHolderDto } from './dto/update-holder.dto';
import { HolderService } from './holder.service';
import { HOLDER_PROTECTED_FIELDS } from './holder.schema';

@ApiTags('Holders')
@OrganizationScoped()
@Controller('v1/holders')
export class HolderController {
  constructor(private readonly holders: HolderService) {}

  @Post()
  @Authorize('holders', 'post')
  @PersonalDataAnswer(HOLDER_PROTECTED_FIELDS)
  @ApiOperation({ summary: 'Create a holder', description: 'One active holder per document per organization.' })
  @ApiBody({ type: CreateHolderDto, examples: CREATE_HOLDER_EXAMPLES })
  @IdempotentCreate()
  @ApiCreatedResponse({
    type: HolderResponseDto,
    description:
      'Created: the holder as stored, with its new id (or, replayed, the first answer to this idempotency key).',
    headers: REPLAY_RESPONSE_HEADERS,
  })
  @ApiErrors(
    ['CRM-0001', 'CRM-0002', 'CRM-0012', 'CRM-0010', 'CRM-0033', 'CRM-0034', 'CRM-0050', 'CRM-0051', ...REVEAL_ERRORS],
    {
      body: true,
    },
  )
  create(@Tenant() tenant: TenantContext, @Body() body: CreateHolderDto): Promise<HolderResponseDto> {
    return this.holders.create(tenant, body);
  }

  @Get()
  @Authorize('holders', 'get')
  @PersonalDataAnswer(HOLDER_PROTECTED_FIELDS)
  @ApiOperation({
    summary: 'List holders',
    description:
      'Offset (page) or keyset (cursor) paging, in creation order (sort_order=desc for newest first). Any number of `metadata.<key>=<value>` filters, combined with AND.',
  })
  @ApiQuery({ type: ListHoldersQuery })
  @ApiMetadataFilters()
  @ApiOkResponse({ type: HolderPageDto, description: 'One page of holders.' })
  @ApiErrors(['CRM-0009', 'CRM-0011', 'CRM-0036', ...REVEAL_ERRORS])
  list(
    @Tenant() tenant: TenantContext,
    @Query(new ListQueryPipe(ListHoldersQuery)) query: WithMetadataFilters<ListHoldersQuery>,
  ): Promise<HolderPageDto> {
    return this.holders.list(tenant, query);
  }

  @Get(':id')
  @Authorize('holders', 'get')
  @PersonalDataAnswer(HOLDER_PROTECTED_FIELDS)
  @ApiOperation({ summary: 'Retrieve a holder' })
  @ApiUuidParams('id')
  @ApiOkResponse({ type: HolderResponseDto, description: 'The holder.' })
  @ApiErrors(['CRM-0005', 'CRM-0006', 'CRM-0036', ...REVEAL_ERRORS])
  get(
    @Tenant() tenant: TenantContext,
    @Param('id', UuidParamPipe) id: string,
    @Query() query: IncludeDeletedQuery,
  ): Promise<HolderResponseDto> {
    return this.holders.get(tenant, id, query.include_deleted === true);
  }

  @Patch(':id')
  @Authorize('holders', 'patch')
  @PersonalDataAnswer(HOLDER_PROTECTED_FIELDS)
  @ApiOperation({
    summary: 'Update a holder (JSON merge patch)',
    description:
      'null removes a field; nested objects merge. type and document are immutable. A soft-deleted holder is not found.',
  })
  @ApiUuidParams('id')
  @ApiConsumes('application/json', 'application/merge-patch+json')
  @ApiBody({
    type: UpdateHolderDto,
    examples: UPDATE_HOLDER_EXAMPLES,
    description: 'application/json or application/merge-patch+json',
  })
  @ApiOkResponse({ type: HolderResponseDto, description: 'The holder after the patch.' })
  @ApiErrors(
    ['CRM-0005', 'CRM-0006', 'CRM-0001', 'CRM-0002', 'CRM-0012', 'CRM-0034', 'CRM-0036', 'CRM-0046', ...REVEAL_ERRORS],
    {
      body: true,
    },
  )
  update(
    @Tenant() tenant: TenantContext,
    @Param('id', UuidParamPipe) id: string,
    @Body() body: UpdateHolderDto,
  ): Promise<HolderResponseDto> {
    return this.holders.update(tenant, id, body);
  }

  @Delete(':id')
  @Authorize('holders', 'delete')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a holder',
    description:
      'Soft delete (sets deletedAt) unless hard_delete=true, which also erases its soft-deleted aliases. Refused while it has live aliases.',
  })
  @ApiUuidParams('id')
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors(['CRM-0005', 'CRM-0006', 'CRM-0017'])
  async delete(
    @Tenant() tenant: TenantContext,
    @Param('id', UuidParamPipe) id: string,
    @Query() query: HardDeleteQuery,
  ): Promise<void> {
    await this.holders.delete(tenant, id, query.hard_delete === true);
  }
}
