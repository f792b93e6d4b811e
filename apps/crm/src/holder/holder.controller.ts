import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { HardDeleteQuery, IncludeDeletedQuery, ListQueryPipe, OrganizationScoped, Tenant, TenantContext, UuidParamPipe, WithMetadataFilters } from '@crm/http';
import { Authorize } from '../auth/permission';
import { CreateHolderDto } from './dto/create-holder.dto';
import { ListHoldersQuery } from './dto/holder-queries.dto';
import { HolderPageDto, HolderResponseDto } from './dto/holder-response.dto';
import { UpdateHolderDto } from './dto/update-holder.dto';
import { HolderService } from './holder.service';

const ERROR_DESCRIPTION = 'Error envelope {code, title, message, entityType?, fields?}';

@ApiTags('Holders')
@OrganizationScoped()
@ApiBadRequestResponse({ description: ERROR_DESCRIPTION })
@Controller('v1/holders')
export class HolderController {
  constructor(private readonly holders: HolderService) {}

  @Post()
  @Authorize('holders', 'post')
  @ApiOperation({ summary: 'Create a holder', description: 'One active holder per document per organization.' })
  @ApiCreatedResponse({ type: HolderResponseDto })
  @ApiConflictResponse({ description: 'CRM-0010: the document is already used by an active holder.' })
  create(@Tenant() tenant: TenantContext, @Body() body: CreateHolderDto): Promise<HolderResponseDto> {
    return this.holders.create(tenant, body);
  }

  @Get()
  @Authorize('holders', 'get')
  @ApiOperation({ summary: 'List holders', description: 'Offset (page) or keyset (cursor) paging, in creation order (sort_order=desc for newest first). Any number of `metadata.<key>=<value>` filters, combined with AND.' })
  @ApiQuery({ type: ListHoldersQuery })
  @ApiQuery({ name: 'metadata.<key>', required: false, description: 'Metadata filter, e.g. metadata.segment=retail; numbers and booleans also match typed values.', schema: { type: 'string' } })
  @ApiOkResponse({ type: HolderPageDto })
  list(@Tenant() tenant: TenantContext, @Query(new ListQueryPipe(ListHoldersQuery)) query: WithMetadataFilters<ListHoldersQuery>): Promise<HolderPageDto> {
    return this.holders.list(tenant, query);
  }

  @Get(':id')
  @Authorize('holders', 'get')
  @ApiOperation({ summary: 'Retrieve a holder' })
  @ApiOkResponse({ type: HolderResponseDto })
  @ApiNotFoundResponse({ description: 'CRM-0006' })
  get(@Tenant() tenant: TenantContext, @Param('id', UuidParamPipe) id: string, @Query() query: IncludeDeletedQuery): Promise<HolderResponseDto> {
    return this.holders.get(tenant, id, query.include_deleted === true);
  }

  @Patch(':id')
  @Authorize('holders', 'patch')
  @ApiOperation({ summary: 'Update a holder (JSON merge patch)', description: 'null removes a field; nested objects merge. type and document are immutable. A soft-deleted holder is not found.' })
  @ApiOkResponse({ type: HolderResponseDto })
  @ApiNotFoundResponse({ description: 'CRM-0006' })
  update(@Tenant() tenant: TenantContext, @Param('id', UuidParamPipe) id: string, @Body() body: UpdateHolderDto): Promise<HolderResponseDto> {
    return this.holders.update(tenant, id, body);
  }

  @Delete(':id')
  @Authorize('holders', 'delete')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a holder', description: 'Soft delete (sets deletedAt) unless hard_delete=true.' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'CRM-0006' })
  async delete(@Tenant() tenant: TenantContext, @Param('id', UuidParamPipe) id: string, @Query() query: HardDeleteQuery): Promise<void> {
    await this.holders.delete(tenant, id, query.hard_delete === true);
  }
}
