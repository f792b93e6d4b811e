/**
 * `npm run openapi`: writes the OpenAPI document to openapi.json (or the path given) for client
 * generators. It builds the application's routes without listening or connecting to a database.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { loadConfig } from '@crm/config';
import { AppModule } from '../app.module';
import { buildOpenApiDocument } from '../swagger';

async function writeOpenApi(target: string): Promise<void> {
  // Throwaway keys and an unreachable database: only the route metadata is read.
  const config = loadConfig({
    MONGO_URI: 'mongodb://127.0.0.1:9/openapi',
    LCRYPTO_ENCRYPT_SECRET_KEY: randomBytes(32).toString('hex'),
    LCRYPTO_HASH_SECRET_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
  });
  const app = await NestFactory.create(AppModule.forRoot(config), new FastifyAdapter(), {
    logger: false,
    abortOnError: false,
    preview: true,
  });
  writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`);
  await app.close();
  process.stdout.write(`wrote ${target}\n`);
}

void writeOpenApi(process.argv[2] ?? 'openapi.json');
