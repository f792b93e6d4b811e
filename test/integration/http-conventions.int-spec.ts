import { Body, Controller, Get, Module, Param, Post, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import { OrganizationScoped, Tenant, TenantContext, UuidParamPipe } from '@crm/http';
import { randomUUID } from 'node:crypto';
import { startTestApp, testEnv, TestApp } from '../utils/test-app';
import { organizationHeaders } from '../factories/organization';

// A probe controller that uses the shared HTTP mechanisms the way business modules do.
class ProbeAddress {
  @IsString() @IsNotEmpty() city!: string;
}
class ProbeBody {
  @IsString() @IsNotEmpty() name!: string;
  @IsIn(['A', 'B']) kind!: string;
  @IsOptional() @ValidateNested() @Type(() => ProbeAddress) address?: ProbeAddress;
}
class ProbeQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(5) page?: number;
}

@OrganizationScoped()
@Controller('v1/probe')
class ProbeController {
  @Post()
  create(@Tenant() tenant: TenantContext, @Body() body: ProbeBody) {
    return { organizationId: tenant.organizationId, body };
  }

  @Get(':id')
  get(@Tenant() tenant: TenantContext, @Param('id', UuidParamPipe) id: string, @Query() query: ProbeQuery) {
    return { organizationId: tenant.organizationId, id, page: query.page };
  }

  @Get('boom/now')
  boom(): never {
    throw new Error('secret-detail 123.456.789-09 leaked?');
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

describe('HTTP conventions', () => {
  let crm: TestApp;
  const org = randomUUID();
  const headers = organizationHeaders(org);

  beforeAll(async () => {
    crm = await startTestApp(testEnv({ BODY_LIMIT_BYTES: '4096', LOG_LEVEL: 'info' }), [ProbeModule]);
  });
  afterAll(() => crm.close());

  describe('X-Organization-Id', () => {
    it('is required on business routes: 400 CRM-0018', async () => {
      const response = await crm.request(`/v1/probe/${randomUUID()}`);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'CRM-0018', title: 'Missing Header' });
    });

    it('must be a UUID: 400 CRM-0022', async () => {
      const response = await crm.request(`/v1/probe/${randomUUID()}`, { headers: organizationHeaders('org-1') });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('CRM-0022');
    });

    it('reaches the handler as a typed tenant context', async () => {
      const id = randomUUID();
      const response = await crm.request(`/v1/probe/${id}`, { headers: organizationHeaders(org.toUpperCase()) });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ organizationId: org, id });
    });

    it('is not asked of health routes', async () => {
      expect((await crm.request('/health')).status).toBe(200);
    });
  });

  describe('validation', () => {
    it('unknown body fields: 400 CRM-0007 listing them', async () => {
      const response = await crm.request('/v1/probe', {
        method: 'POST',
        headers,
        json: { name: 'x', kind: 'A', extra: 1, address: { city: 'c', zip: 2 } },
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('CRM-0007');
      expect(Object.keys(response.body.fields).sort()).toEqual(['address.zip', 'extra']);
    });

    it('missing required fields: 400 CRM-0003 with a fields map', async () => {
      const response = await crm.request('/v1/probe', { method: 'POST', headers, json: { kind: 'A', address: {} } });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('CRM-0003');
      expect(Object.keys(response.body.fields).sort()).toEqual(['address.city', 'name']);
    });

    it('wrong types: 400 CRM-0004', async () => {
      const response = await crm.request('/v1/probe', { method: 'POST', headers, json: { name: 42, kind: 'C' } });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('CRM-0004');
      expect(Object.keys(response.body.fields).sort()).toEqual(['kind', 'name']);
    });

    it('malformed JSON: 400 CRM-0004', async () => {
      const response = await crm.request('/v1/probe', {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{"name": ',
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('CRM-0004');
    });

    it('invalid UUID path parameter: 400 CRM-0005', async () => {
      const response = await crm.request('/v1/probe/not-a-uuid', { headers });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'CRM-0005', fields: { id: 'must be a UUID' } });
    });

    it('invalid query values: 400 CRM-0016', async () => {
      const response = await crm.request(`/v1/probe/${randomUUID()}?page=zero`, { headers });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('CRM-0016');
    });

    it('unknown query parameters: 400 CRM-0016', async () => {
      const response = await crm.request(`/v1/probe/${randomUUID()}?pgae=1`, { headers });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('CRM-0016');
    });
  });

  describe('hostile input never reaches a 500', () => {
    it.each(['[]', 'null', '"text"', '42'])('a body that is not a JSON object (%s): 400 CRM-0004', async (body) => {
      const response = await crm.request('/v1/probe', {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body,
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('CRM-0004');
    });

    it('NUL bytes in strings: 400 CRM-0004', async () => {
      const response = await crm.request('/v1/probe', {
        method: 'POST',
        headers,
        json: { name: 'a\u0000b', kind: 'A' },
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('CRM-0004');
    });

    it('nesting deeper than 10: 400 CRM-0015', async () => {
      let deep: unknown = 'x';
      for (let i = 0; i < 12; i++) deep = { d: deep };
      const response = await crm.request('/v1/probe', {
        method: 'POST',
        headers,
        json: { name: 'n', kind: 'A', address: deep },
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('CRM-0015');
    });

    it('objects with more than 100 keys: 400 CRM-0015', async () => {
      const wide = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i]));
      const response = await crm.request('/v1/probe', {
        method: 'POST',
        headers,
        json: { name: 'n', kind: 'A', ...wide },
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('CRM-0015');
    });

    it('bodies over the configured limit: 413 CRM-0035', async () => {
      const response = await crm.request('/v1/probe', {
        method: 'POST',
        headers,
        json: { name: 'x'.repeat(5000), kind: 'A' },
      });
      expect(response.status).toBe(413);
      expect(response.body.code).toBe('CRM-0035');
    });

    it('non-JSON bodies: 415 CRM-0039', async () => {
      const response = await crm.request('/v1/probe', {
        method: 'POST',
        headers: { ...headers, 'content-type': 'text/xml' },
        body: '<a/>',
      });
      expect(response.status).toBe(415);
      expect(response.body.code).toBe('CRM-0039');
    });

    it.each([
      ['a value', '{"name":"A\\ud800B","kind":"A"}'],
      ['a nested value', '{"name":"n","kind":"A","address":{"city":"\\udc00"}}'],
      ['a key', '{"name":"n","kind":"A","\\ud83d":1}'],
    ])('a lone surrogate in %s: 400 CRM-0004 (it would be stored as U+FFFD)', async (_case, body) => {
      const response = await crm.request('/v1/probe', {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body,
      });
      expect([response.status, response.body.code]).toEqual([400, 'CRM-0004']);
    });

    it('a surrogate pair is a character like any other', async () => {
      const response = await crm.request('/v1/probe', {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{"name":"A\\ud83d\\ude00B","kind":"A"}',
      });
      expect([response.status, response.body.body?.name]).toEqual([201, 'A\u{1F600}B']);
    });

    it('prototype pollution attempts: 400 with a code', async () => {
      const response = await crm.request('/v1/probe', {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{"name":"n","kind":"A","__proto__":{"admin":true}}',
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toMatch(/^CRM-00/);
    });

    it('unknown routes: 404 CRM-0038', async () => {
      const response = await crm.request('/v1/nothing-here', { headers });
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('CRM-0038');
    });
  });

  describe('unexpected errors', () => {
    it('become 500 CRM-0014 with the request id and no internals', async () => {
      const response = await crm.request('/v1/probe/boom/now', {
        headers: { ...headers, 'x-request-id': 'req-boom-1' },
      });
      expect(response.status).toBe(500);
      expect(response.body).toEqual({
        code: 'CRM-0014',
        title: 'Internal Server Error',
        message: expect.any(String),
        requestId: 'req-boom-1',
      });
      expect(response.text).not.toContain('secret-detail');
      expect(response.text).not.toContain('at ');
      expect(
        await crm.logs.waitFor((entry) => entry.requestId === 'req-boom-1' || entry.req?.id === 'req-boom-1'),
      ).toBe(true);
      expect(crm.logs.text).not.toContain('123.456.789-09');
    });
  });

  describe('request id', () => {
    it('echoes a caller X-Request-Id and logs it', async () => {
      const response = await crm.request('/health', { headers: { 'x-request-id': 'trace-abc-123' } });
      expect(response.headers.get('x-request-id')).toBe('trace-abc-123');
      expect(await crm.logs.waitFor((entry) => entry.req?.id === 'trace-abc-123')).toBe(true);
    });

    it('generates one when absent, on successes and errors alike', async () => {
      const ok = await crm.request('/health');
      const failed = await crm.request(`/v1/probe/${randomUUID()}`);
      expect(ok.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(failed.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(ok.headers.get('x-request-id')).not.toBe(failed.headers.get('x-request-id'));
    });

    it('replaces an unsafe caller id', async () => {
      const response = await crm.request('/health', { headers: { 'x-request-id': 'bad id with spaces' } });
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it.each([
      ['a CPF', '529.982.247-25'],
      ['a CNPJ', '11222333000181'],
      ['a CPF inside a token', 'req-52998224725-x'],
    ])('replaces an id that holds %s, says so, and never logs it', async (_case, id) => {
      const response = await crm.request(`/v1/probe/${randomUUID()}`, { headers: { ...headers, 'x-request-id': id } });
      const replaced = response.headers.get('x-request-id');
      expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers.get('x-request-id-replaced')).toBe('personal-data');
      expect(await crm.logs.waitFor((entry) => entry.req?.id === replaced)).toBe(true);
      expect(crm.logs.text).not.toContain(id);
    });

    it.each(['order-2024-000123', '01234567-8901-4abc-8def-012345678901', 'trace:abc.123'])(
      'keeps a sane caller id such as %s, without the replacement header',
      async (id) => {
        const response = await crm.request('/health', { headers: { 'x-request-id': id } });
        expect(response.headers.get('x-request-id')).toBe(id);
        expect(response.headers.get('x-request-id-replaced')).toBeNull();
      },
    );
  });
});
