import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import mongoose from 'mongoose';
import { AppConfig, loadConfig } from '@crm/config';
import { createApp } from '../../apps/crm/src/bootstrap';
import { testKeys } from '../factories/keys';
import { waitUntil } from './eventually';

/** The environment of a test app: the harness's Mongo, a database of its own, fresh keys. */
export function testEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const uri = process.env.MONGO_URI;
  if (!uri)
    throw new Error('MONGO_URI is not set: run the integration tests through jest (global setup starts a server)');
  return {
    MONGO_URI: uri,
    MONGO_NAME: `crm_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`,
    LOG_LEVEL: 'silent',
    ...testKeys(),
    ...overrides,
  };
}

/**
 * Captures JSON log lines, for asserting what reaches (and what never reaches) the logs.
 * nestjs-pino keeps one pino-http logger per process: only the first app of a test file logs into
 * its capture, so log assertions live in files that start one app.
 */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }

  /** Request lines are written when the response finishes, which can trail the client's read. */

  waitFor(predicate: (entry: Record<string, any>) => boolean, timeoutMs = 2000): Promise<boolean> {
    return waitUntil(() => this.lines.some((line) => predicate(JSON.parse(line))), { timeoutMs, intervalMs: 20 });
  }
}

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  baseUrl: string;
  logs: LogCapture;
  request(path: string, init?: RequestInit & { json?: unknown }): Promise<TestResponse>;
  close(options?: { keepDatabase?: boolean }): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/** Starts the real application on a loopback port; requests go through real HTTP. */
export async function startTestApp(
  env: Record<string, string | undefined> = testEnv(),
  extraModules: Type<unknown>[] = [],
): Promise<TestApp> {
  const config = loadConfig(env);
  const logs = new LogCapture();
  const app = await createApp(config, { logStream: logs, extraModules });
  await app.listen(0, '127.0.0.1');
  const baseUrl = await app.getUrl();
  const request = async (path: string, init: RequestInit & { json?: unknown } = {}): Promise<TestResponse> => {
    const { json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (json !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
    const response = await fetch(`${baseUrl.replace('[::1]', '127.0.0.1')}${path}`, {
      ...rest,
      headers,
      body: json !== undefined ? JSON.stringify(json) : rest.body,
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (Swagger UI HTML, for one)
    }
    return { status: response.status, headers: response.headers, body, text };
  };
  const close = async (options: { keepDatabase?: boolean } = {}) => {
    if (!options.keepDatabase) {
      const connection = await mongoose.createConnection(config.mongo.uri, { dbName: config.mongo.dbName }).asPromise();
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    }
    await app.close();
  };
  return { app, config, baseUrl, logs, request, close };
}
