import { existsSync } from 'node:fs';
import { LocalDevPaths, readEnvFile, runningDevDatabase } from '@crm/config';

/** The environment a CLI run is configured from, what to tell the operator about it, and what to check when its database cannot be reached. */
export interface CliEnvironment {
  env: NodeJS.ProcessEnv;
  note?: string;
  databaseCheck: string;
}

/**
 * The process's environment; on a developer's machine without MONGO_URI or MONGO_HOST, the database
 * of the running `npm run dev` and the settings of `.env.local` (never overriding a variable that is set).
 */
export function cliEnvironment(env: NodeJS.ProcessEnv, paths: LocalDevPaths): CliEnvironment {
  if (env.MONGO_URI) return { env, databaseCheck: 'MONGO_URI' };
  if (env.MONGO_HOST) return { env, databaseCheck: 'MONGO_HOST and MONGO_PORT' };
  const databaseUri = runningDevDatabase(paths.dataDir);
  if (!databaseUri) return { env, databaseCheck: 'MONGO_URI' };
  const local = existsSync(paths.envFile) ? readEnvFile(paths.envFile) : {};
  const keys = existsSync(paths.envFile) ? ` and the keys in ${paths.envFile}` : '';
  return {
    env: { ...local, ...env, MONGO_URI: databaseUri },
    note: `crm: using the database of the running \`npm run dev\` (${databaseUri}, recorded in ${paths.dataDir})${keys}`,
    databaseCheck: 'that `npm run dev` still runs, or set MONGO_URI',
  };
}
