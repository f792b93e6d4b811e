import { Injectable, OnModuleInit, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { AUTHORIZE_METADATA, RoutePermission } from './permission';

/** Business routes: every one must declare its permission; one that does not is refused (403) at request time. */
export const BUSINESS_ROUTE = /^\/v1\//;

const pathsOf = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value ?? '']).map((path) => String(path).replace(/^\/+|\/+$/g, ''));

/** Fastify's route key: method and route pattern (`GET /v1/holders/:id`). */
export const routeKey = (method: string, url: string) => `${method === 'HEAD' ? 'GET' : method} ${url}`;

/**
 * The route → (resource, action) map, read from the `@Authorize` declarations of the controllers, so
 * each route's permission is written once, beside its handler.
 */
@Injectable()
export class RoutePermissions implements OnModuleInit {
  private readonly byRoute = new Map<string, RoutePermission>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    for (const { instance, metatype } of this.discovery.getControllers()) {
      if (!instance || !metatype) continue;
      const bases = pathsOf(Reflect.getMetadata(PATH_METADATA, metatype));
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as () => unknown;
        const permission = this.reflector.get<RoutePermission | undefined>(AUTHORIZE_METADATA, handler);
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (!permission || method === undefined) continue;
        for (const base of bases) {
          for (const sub of pathsOf(Reflect.getMetadata(PATH_METADATA, handler))) {
            this.byRoute.set(routeKey(RequestMethod[method], `/${[base, sub].filter(Boolean).join('/')}`), permission);
          }
        }
      }
    }
  }

  /** The permission of a matched route; undefined for public routes. */
  of(method: string, url: string | undefined): RoutePermission | undefined {
    return url === undefined ? undefined : this.byRoute.get(routeKey(method, url));
  }
}
