import mongoose, { Connection } from 'mongoose';
import { orgClient, OrgClient } from './api';
import { FakeMidaz } from './fake-midaz';
import { startTestApp, testEnv, TestApp } from './test-app';

/** A connection to the test app's own database, for looking at what was really stored. */
export function openDatabase(crm: TestApp): Promise<Connection> {
  return mongoose.createConnection(crm.config.mongo.uri, { dbName: crm.config.mongo.dbName }).asPromise();
}

export interface CrmWithMidaz {
  midaz: FakeMidaz;
  crm: TestApp;
  /** A client of one fresh organization. */
  api: OrgClient;
  connection: Connection;
  close(): Promise<void>;
}

/** A fake Midaz, the app pointed at it (env on top of the test defaults) and a connection to its database. */
export async function startCrmWithMidaz(env: Record<string, string> = {}): Promise<CrmWithMidaz> {
  const midaz = new FakeMidaz();
  await midaz.start();
  const crm = await startTestApp(testEnv({ MIDAZ_LEDGER_URL: midaz.url, ...env }));
  const connection = await openDatabase(crm);
  const close = async () => {
    await connection.close();
    await crm.close();
    await midaz.stop();
  };
  return { midaz, crm, api: orgClient(crm), connection, close };
}

/**
 * A CrmWithMidaz for the tests of the calling describe block: started before them, closed after them.
 * Its fields are there once the tests run (not while the block is being declared).
 */
export function crmWithMidazForAll(env: Record<string, string> = {}): CrmWithMidaz {
  const stack = {} as CrmWithMidaz;
  beforeAll(async () => {
    Object.assign(stack, await startCrmWithMidaz(env));
  });
  afterAll(() => stack.close());
  return stack;
}

/** Runs `test` against a fresh CrmWithMidaz and closes it afterwards, whatever happens. */
export async function withCrmAndMidaz(
  env: Record<string, string>,
  test: (stack: CrmWithMidaz) => Promise<void>,
): Promise<void> {
  const stack = await startCrmWithMidaz(env);
  try {
    await test(stack);
  } finally {
    await stack.close();
  }
}
