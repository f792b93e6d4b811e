import type { FastifyInstance } from 'fastify';

const escapeRegExp = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** `/v1/holders/:id` → a pattern for concrete paths (`*` matches the rest of the path). */
function pathPattern(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : escapeRegExp(segment)))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/**
 * The methods each route path answers, learned from Fastify's `onRoute` hook as the routes are
 * registered, so that a known path asked with another method answers 405 with `Allow`, not 404.
 */
export class RouteMethods {
  private readonly routes: Array<{ url: string; pattern: RegExp; methods: string[] }> = [];

  watch(fastify: FastifyInstance): void {
    fastify.addHook('onRoute', (route) => {
      const methods = [route.method].flat().map(String);
      this.routes.push({
        url: route.url,
        pattern: pathPattern(route.url),
        methods: methods.includes('GET') ? [...methods, 'HEAD'] : methods,
      });
    });
  }

  /** Every registered route as `METHOD url` (url as declared: `/v1/holders/:id`). */
  entries(): string[] {
    return this.routes.flatMap((route) => route.methods.map((method) => `${method} ${route.url}`));
  }

  /** The methods the path (without its query string) answers, sorted; empty for an unknown path. */
  allowedFor(url: string): string[] {
    const path = url.split('?', 1)[0];
    const allowed = new Set(this.routes.filter((route) => route.pattern.test(path)).flatMap((route) => route.methods));
    return [...allowed].sort();
  }
}
