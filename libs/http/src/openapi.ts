import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { ERROR_CATALOG, ErrorCode } from '@crm/errors';

/** The error body, as OpenAPI shows it (see `ErrorEnvelope`). */
export class ErrorEnvelopeDto {
  @ApiProperty({ example: 'CRM-0006', pattern: '^CRM-\\d{4}$' }) code!: string;
  @ApiProperty({ example: 'Holder Not Found' }) title!: string;
  @ApiProperty({ example: 'No holder was found for the given id.' }) message!: string;
  @ApiPropertyOptional({ example: 'Holder' }) entityType?: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { document: 'document is required' },
    description: 'Field (or parameter) → what is wrong with it.',
  })
  fields?: Record<string, string>;
  @ApiPropertyOptional({ format: 'uuid', description: 'On 5xx answers: quote it when reporting the error.' })
  requestId?: string;
}

/** Codes every business route can answer, whatever it does. */
const EVERY_ROUTE: ErrorCode[] = ['CRM-0018', 'CRM-0022', 'CRM-0016', 'CRM-0037'];
/** Codes of every route that reads a JSON body. */
const WITH_BODY: ErrorCode[] = ['CRM-0003', 'CRM-0004', 'CRM-0007', 'CRM-0015', 'CRM-0035', 'CRM-0039'];

/**
 * Documents the error answers of an operation: one response per status, with the envelope schema and
 * an example per code, taken from the error catalog (so the documentation cannot drift from it).
 */
export function ApiErrors(codes: ErrorCode[], options: { body?: boolean } = {}): MethodDecorator & ClassDecorator {
  const all = [...new Set([...EVERY_ROUTE, ...(options.body ? WITH_BODY : []), ...codes])];
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of all)
    byStatus.set(ERROR_CATALOG[code].status, [...(byStatus.get(ERROR_CATALOG[code].status) ?? []), code]);
  return applyDecorators(
    ApiExtraModels(ErrorEnvelopeDto),
    ...[...byStatus].map(([status, statusCodes]) =>
      ApiResponse({
        status,
        description: statusCodes.map((code) => `${code}: ${ERROR_CATALOG[code].title}`).join('; '),
        content: {
          'application/json': {
            schema: { $ref: getSchemaPath(ErrorEnvelopeDto) },
            examples: Object.fromEntries(
              statusCodes.map((code) => [
                code,
                {
                  summary: ERROR_CATALOG[code].title,
                  value: { code, title: ERROR_CATALOG[code].title, message: ERROR_CATALOG[code].message },
                },
              ]),
            ),
          },
        },
      }),
    ),
  );
}

/** Path parameters that are UUIDs (anything else: 400 CRM-0005). */
export function ApiUuidParams(...names: string[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...names.map((name) => ApiParam({ name, required: true, schema: { type: 'string', format: 'uuid' } })),
  );
}

/** `metadata.<key>=<value>` filters (also written `metadata[<key>]=<value>`, OpenAPI's deepObject style). */
export function ApiMetadataFilters(): MethodDecorator {
  return ApiQuery({
    name: 'metadata',
    required: false,
    style: 'deepObject',
    explode: true,
    schema: { type: 'object', additionalProperties: { type: 'string' } },
    description:
      'Metadata filters, any number, combined with AND: `metadata.<key>=<value>` or `metadata[<key>]=<value>`. Numbers and booleans also match typed values.',
  });
}
