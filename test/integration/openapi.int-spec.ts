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
    expect(Object.keys(api.paths ?? {})).toEqual(expect.arrayContaining(['/health', '/readyz', '/version']));
  });

  it('serves Swagger UI at /swagger', async () => {
    const response = await crm.request('/swagger');
    expect(response.status).toBe(200);
    expect(response.text).toContain('swagger-ui');
  });
});
