import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { Model } from 'mongoose';
import { getModelToken } from '@nestjs/mongoose';
import { HOLDER_MODEL } from '../../apps/crm/src/holder/holder.schema';
import { cpf } from '../factories/documents';
import { orgClient } from '../utils/api';
import { startTestApp, testEnv, TestApp } from '../utils/test-app';

describe('request logging', () => {
  let crm: TestApp;
  beforeAll(async () => (crm = await startTestApp(testEnv({ LOG_LEVEL: 'info' }))));
  afterAll(() => crm.close());

  it('logs each request as JSON with its id, and leaves authorization and cookies out', async () => {
    const token = 'Bearer super-secret-token-value-42';
    await crm.request('/health', {
      headers: { authorization: token, cookie: 'session=cookie-secret-99', 'x-request-id': 'redaction-check' },
    });
    expect(await crm.logs.waitFor((entry) => entry.req?.id === 'redaction-check')).toBe(true);
    const line = crm.logs.lines.map((text) => JSON.parse(text)).find((entry) => entry.req?.id === 'redaction-check');
    expect(line.req.headers).not.toHaveProperty('authorization');
    expect(line.req.headers).not.toHaveProperty('cookie');
    expect(line.req.headers['x-request-id']).toBe('redaction-check');
    expect(crm.logs.text).not.toContain('super-secret-token-value-42');
    expect(crm.logs.text).not.toContain('cookie-secret-99');
  });

  it('logs a request on exactly one line, which carries its audit event', async () => {
    const response = await crm.request('/v1/holders', {
      method: 'POST',
      headers: { 'x-organization-id': randomUUID(), 'x-request-id': 'one-line-check' },
      json: { type: 'NATURAL_PERSON', name: 'One Line', document: '39053344705' },
    });
    expect(response.status).toBe(201);
    expect(await crm.logs.waitFor((entry) => entry.req?.id === 'one-line-check')).toBe(true);
    const lines = crm.logs.lines
      .map((text) => JSON.parse(text))
      .filter((entry) => JSON.stringify(entry).includes('one-line-check'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'request completed',
      req: { method: 'POST', url: '/v1/holders' },
      res: { statusCode: 201 },
      audit: { action: 'holders.post', resourceIds: [response.body.id], requestId: 'one-line-check' },
    });
  });

  it('logs a request the caller abandons, as aborted, with its request id', async () => {
    const { hostname, port } = new URL(crm.baseUrl);
    const socket = connect(Number(port), hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    // Headers and half a body, then the caller hangs up: the request never gets an answer.
    socket.write(
      [
        'POST /v1/holders HTTP/1.1',
        `Host: ${hostname}:${port}`,
        `x-organization-id: ${randomUUID()}`,
        'x-request-id: aborted-check',
        'content-type: application/json',
        'content-length: 100',
        '',
        '{"type":',
      ].join('\r\n'),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    expect(await crm.logs.waitFor((entry) => entry.req?.id === 'aborted-check')).toBe(true);
    const line = crm.logs.lines.map((text) => JSON.parse(text)).find((entry) => entry.req?.id === 'aborted-check');
    expect(line).toMatchObject({ msg: 'request aborted', aborted: true, req: { method: 'POST', url: '/v1/holders' } });
    expect(line).not.toHaveProperty('res');
  });

  it('masks query values that may carry personal data, keeping paging ones', async () => {
    await crm.request('/health?document=123.456.789-09&metadata.email=x%40y.z&page=2', {
      headers: { 'x-request-id': 'query-check' },
    });
    expect(await crm.logs.waitFor((entry) => entry.req?.id === 'query-check')).toBe(true);
    const line = crm.logs.lines.map((text) => JSON.parse(text)).find((entry) => entry.req?.id === 'query-check');
    expect(line.req.url).toBe('/health?document=[REDACTED]&metadata.email=[REDACTED]&page=2');
    expect(crm.logs.text).not.toContain('123.456.789-09');
    expect(crm.logs.text).not.toContain('x@y.z');
  });

  it('warns about personal data in metadata by key name only (METADATA_PII_GUARD=warn, the default)', async () => {
    const response = await orgClient(crm).post('/v1/holders', {
      type: 'NATURAL_PERSON',
      name: 'Log Subject',
      document: '52998224725',
      metadata: { contactCpf: '111.444.777-35' },
    });
    expect(response.status).toBe(201);
    expect(
      await crm.logs.waitFor((entry) => Array.isArray(entry.metadataKeys) && entry.metadataKeys.includes('contactCpf')),
    ).toBe(true);
    for (const value of ['111.444.777-35', '11144477735', '52998224725', 'Log Subject'])
      expect(crm.logs.text).not.toContain(value);
  });

  it("warns about a PATCH's metadata once, also when the patch is applied again after another write", async () => {
    const api = orgClient(crm);
    const created = await api.post('/v1/holders', { type: 'NATURAL_PERSON', name: 'Patched Twice', document: cpf() });
    expect(created.status).toBe(201);
    const holders = crm.app.get<Model<unknown>>(getModelToken(HOLDER_MODEL)).collection as unknown as {
      findOne: (...args: unknown[]) => Promise<unknown>;
    };
    const findOne = holders.findOne.bind(holders);
    jest.spyOn(holders, 'findOne').mockImplementationOnce(async (...args: unknown[]) => {
      const found = await findOne(...args);
      expect((await api.patch(`/v1/holders/${created.body.id}`, { name: 'In Between' })).status).toBe(200);
      return found;
    });
    const response = await crm.request(`/v1/holders/${created.body.id}`, {
      method: 'PATCH',
      headers: { 'x-organization-id': api.organizationId, 'x-request-id': 'patched-twice' },
      json: { metadata: { secondCpf: '111.444.777-35' } },
    });
    jest.restoreAllMocks();
    expect(response.status).toBe(200);
    expect(await crm.logs.waitFor((entry) => entry.req?.id === 'patched-twice')).toBe(true);
    const warnings = crm.logs.lines
      .map((text) => JSON.parse(text) as { metadataKeys?: string[] })
      .filter((entry) => entry.metadataKeys?.includes('secondCpf'));
    expect(warnings).toHaveLength(1);
  });
});
