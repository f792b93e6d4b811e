import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import { Observable } from 'rxjs';

/**
 * Names the matched route (`/v1/holders/:id`, never the concrete URL) on the HTTP server span, so
 * request rate and latency metrics group by route and status without carrying ids or query values.
 */
@Injectable()
export class RouteTelemetryInterceptor implements NestInterceptor {
  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = execution
      .switchToHttp()
      .getRequest<{ routeOptions?: { url?: string }; route?: { path?: string } }>();
    const route = request.routeOptions?.url ?? request.route?.path;
    const rpc = getRPCMetadata(context.active());
    if (route && rpc?.type === RPCType.HTTP) rpc.route = route;
    return next.handle();
  }
}
