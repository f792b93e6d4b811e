import type { EmbeddedMongo } from '../../scripts/embedded-mongo';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __embeddedMongo?: EmbeddedMongo }).__embeddedMongo?.stop();
}
