import { createServer, Server } from 'node:http';
import { CryptoKey, exportJWK, exportSPKI, generateKeyPair, JWK, JWTPayload, SignJWT } from 'jose';

/** An unsigned-looking JWT whose payload is the given claims (plugin-auth verifies, lib-auth only decodes). */
export function unverifiedJwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode(claims)}.${Buffer.from('signature').toString('base64url')}`;
}

/** A signing key generated at test time, with its public JWK (kid set) and SPKI PEM. */
export interface TestSigningKey {
  kid: string;
  alg: 'RS256' | 'ES256' | 'ES384';
  privateKey: CryptoKey;
  jwk: JWK;
  pem: string;
}

export async function signingKey(kid: string, alg: TestSigningKey['alg'] = 'RS256'): Promise<TestSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    kid,
    alg,
    privateKey,
    jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
    pem: await exportSPKI(publicKey),
  };
}

/** Signs claims with a test key; `exp` one hour ahead unless given. */
export async function signedJwt(key: TestSigningKey, claims: JWTPayload & Record<string, unknown>): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ exp: now + 3600, iat: now, ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .sign(key.privateKey);
}

/** A JWKS endpoint on loopback whose key set can be replaced (key rotation); counts fetches. */
export class JwksServer {
  keys: JWK[] = [];
  fetches = 0;
  private server?: Server;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/.well-known/jwks.json`;
  }

  async start(): Promise<void> {
    this.server = createServer((_request, response) => {
      this.fetches++;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: this.keys }));
    });
    // The same port on a restart, so an outage ends for the service too.
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
