import packageJson from '../../package.json';
import { startTestApp, testEnv, TestApp } from '../utils/test-app';
import { TcpProxy } from '../utils/tcp-proxy';
import { waitUntil } from '../utils/eventually';

describe('health endpoints', () => {
  let proxy: TcpProxy;
  let crm: TestApp;

  beforeAll(async () => {
    proxy = TcpProxy.forMongoUri(process.env.MONGO_URI!);
    await proxy.start();
    crm = await startTestApp(testEnv({ MONGO_URI: proxy.uriFor(process.env.MONGO_URI!) }));
  });

  afterAll(async () => {
    await crm.close();
    await proxy.stop();
  });

  it('GET /health answers 200 without touching dependencies', async () => {
    const response = await crm.request('/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('GET /version answers the package version and the request date', async () => {
    const before = Date.now();
    const response = await crm.request('/version');
    expect(response.status).toBe(200);
    expect(response.body.version).toBe(packageJson.version);
    expect(Date.parse(response.body.requestDate)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('GET /readyz reports each check with its latency', async () => {
    const response = await crm.request('/readyz');
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ok');
    expect(response.body.details.mongo.status).toBe('up');
    expect(typeof response.body.details.mongo.responseTime).toBe('number');
    expect(response.body.details.lifecycle.status).toBe('up');
    expect(response.body.details.keyring).toMatchObject({ status: 'up', canary: 'verified' });
  });

  it('GET /readyz turns 503 naming mongo while the database is unreachable, and recovers by itself', async () => {
    await proxy.cut();
    const down = await crm.request('/readyz');
    expect(down.status).toBe(503);
    expect(down.body.error.mongo.status).toBe('down');
    expect((await crm.request('/health')).status).toBe(200);

    await proxy.restore();
    const recovered = await waitUntil(async () => (await crm.request('/readyz')).status === 200, {
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    expect(recovered).toBe(true);
  });
});
