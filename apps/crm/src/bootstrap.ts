import type { IncomingMessage } from 'node:http';
import { NestFactory, HttpAdapterHost } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppConfig } from '@crm/config';
import {
  acceptJsonBodiesOnly,
  answerClientError,
  CrmExceptionFilter,
  CrmValidationPipe,
  JsonShapePipe,
  requestIdOf,
  RouteMethods,
} from '@crm/http';
import { AppModule, AppModuleOptions } from './app.module';
import { installAuditTrail } from './audit/audit-hooks';
import { installAccessControl } from './auth/access-control';
import { RequestLog } from './logging/request-log';
import { ROUTE_TEMPLATES } from './logging/route-templates';
import { setupSwagger } from './swagger';
import { RouteTelemetryInterceptor } from './telemetry/route.interceptor';

const routeTables = new WeakMap<NestFastifyApplication, RouteMethods>();

/** The routes an application serves, for the test that compares them with the OpenAPI document. */
export function routeTableOf(app: NestFastifyApplication): RouteMethods | undefined {
  return routeTables.get(app);
}

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
    // `/v1/holders/` is `/v1/holders`, as in the original (Fiber routes without strict slashes).
    routerOptions: { ignoreTrailingSlash: true },
    clientErrorHandler: answerClientError,
  });
  acceptJsonBodiesOnly(adapter.getInstance());
  // Logs and spans show a path as its route template: record each template as it is registered.
  adapter.getInstance().addHook('onRoute', (route) => ROUTE_TEMPLATES.add(route.url));
  const routeMethods = new RouteMethods();
  routeMethods.watch(adapter.getInstance());
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options), adapter, {
    bufferLogs: true,
    abortOnError: false,
    bodyParser: false,
  });
  routeTables.set(app, routeMethods);
  app.useLogger(app.get(Logger));
  // Fastify hooks run in the order they are added, all before body parsing: the request id and log line
  // first, then the audit slot, so refused attempts are recorded too, then access control.
  app.get(RequestLog).install(app.getHttpAdapter().getInstance());
  installAuditTrail(app);
  installAccessControl(app);
  app.useGlobalPipes(new JsonShapePipe(), new CrmValidationPipe());
  app.useGlobalFilters(new CrmExceptionFilter(app.get(HttpAdapterHost), routeMethods));
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
