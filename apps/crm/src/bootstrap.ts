import type { IncomingMessage } from 'node:http';
import { NestFactory, HttpAdapterHost } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppConfig } from '@crm/config';
import { CrmExceptionFilter, CrmValidationPipe, JsonShapePipe, requestIdOf } from '@crm/http';
import { AppModule, AppModuleOptions } from './app.module';
import { installAuditTrail } from './audit/audit-hooks';
import { installAccessControl } from './auth/access-control';
import { setupSwagger } from './swagger';
import { RouteTelemetryInterceptor } from './telemetry/route.interceptor';

/**
 * Builds the whole application on Fastify, used alike by `main.ts` and the integration tests,
 * so what the tests exercise is what production runs.
 */
export async function createApp(config: AppConfig, options: AppModuleOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    genReqId: (request: IncomingMessage) => requestIdOf(request),
    // Keep-alive sockets must not hold a shutdown open past the drain timeout.
    forceCloseConnections: 'idle',
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options), adapter, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  // Fastify hooks added here run after Nest middleware (request id, request log) and before body parsing;
  // the audit slot is taken first, so refused attempts are recorded too.
  installAuditTrail(app);
  installAccessControl(app);
  app.useGlobalPipes(new JsonShapePipe(), new CrmValidationPipe());
  app.useGlobalFilters(new CrmExceptionFilter(app.get(HttpAdapterHost)));
  if (options.telemetry) app.useGlobalInterceptors(new RouteTelemetryInterceptor());
  setupSwagger(app);
  try {
    await app.init();
  } catch (error) {
    // A refused boot (database unreachable, keys that do not match) releases what it opened.
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}
