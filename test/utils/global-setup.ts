import { startEmbeddedMongo } from '../../scripts/embedded-mongo';

/**
 * Gives every integration test a real MongoDB-wire server: MONGO_URI when set (CI, a developer's
 * own Mongo), otherwise an embedded one. Workers inherit MONGO_URI from this process.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.MONGO_URI) {
    process.stderr.write(`\nintegration tests: using MONGO_URI\n`);
    process.env.CRM_TEST_ENGINE = 'the server at MONGO_URI';
    return;
  }
  const server = await startEmbeddedMongo();
  process.env.MONGO_URI = server.uri;
  process.env.CRM_TEST_DB_KIND = server.kind;
  process.env.CRM_TEST_ENGINE = server.kind; // named in the run's summary
  (globalThis as { __embeddedMongo?: typeof server }).__embeddedMongo = server;
  process.stderr.write(`\nintegration tests: ${server.kind} at ${server.uri}\n`);
}
