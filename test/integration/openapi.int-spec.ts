import SwaggerParser from '@apidevtools/swagger-parser';
import { startTestApp, TestApp } from '../utils/test-app';

describe('OpenAPI and Swagger UI', () => {
  let crm: TestApp;
  beforeAll(async () => (crm = await startTestApp()));
  afterAll(() => crm.close());

  it('serves a valid OpenAPI 3 document at /swagger/json', async () => {
    const response = await crm.request('/swagger/json');
    expect(response.status).toBe(200);
    const api = await SwaggerParser.validate(response.body);
    expect((api as { openapi: string }).openapi).toMatch(/^3\./);
    expect(Object.keys(api.paths ?? {})).toEqual(expect.arrayContaining(['/health', '/readyz', '/version', '/v1/holders', '/v1/holders/{id}']));
  });

  it('describes the holder routes with the organization header, request examples and response schemas', async () => {
    const api = (await crm.request('/swagger/json')).body;
    const create = api.paths['/v1/holders'].post;
    expect(create.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'X-Organization-Id', in: 'header', required: true })]));
    expect(create.responses['201'].content['application/json'].schema.$ref).toBe('#/components/schemas/HolderResponseDto');
    const body = api.components.schemas.CreateHolderDto;
    expect(body.required).toEqual(expect.arrayContaining(['type', 'name', 'document']));
    expect(body.properties.document.example).toBeDefined();
    const listParameters = api.paths['/v1/holders'].get.parameters.map((parameter: { name: string }) => parameter.name);
    expect(listParameters).toEqual(expect.arrayContaining(['page', 'limit', 'sort_order', 'start_date', 'end_date', 'document', 'external_id', 'cursor', 'metadata.<key>']));
    expect(Object.keys(api.paths['/v1/holders/{id}'])).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
  });

  it('serves Swagger UI at /swagger', async () => {
    const response = await crm.request('/swagger');
    expect(response.status).toBe(200);
    expect(response.text).toContain('swagger-ui');
  });
});
