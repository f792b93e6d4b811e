import { validate as isUuid } from 'uuid';

/** What a path segment that is neither a word of a route nor a valid UUID is logged as. */
export const INVALID_SEGMENT = ':invalid';

type Template = string[];

/**
 * The route templates the application serves (`/v1/holders/:id`), recorded as Fastify registers them.
 * A concrete path is logged and traced as its template, with the ids that are valid UUIDs: whatever
 * else a caller puts in a path (a document, an e-mail) never reaches a log line or a span.
 */
export class RouteTemplates {
  private readonly templates: Template[] = [];
  /** The fixed segments of every route (`v1`, `holders`, …): safe to show even in a path no route matches. */
  private readonly words = new Set<string>();

  add(url: string): void {
    const template = segmentsOf(url);
    if (this.templates.some((known) => known.join('/') === template.join('/'))) return;
    this.templates.push(template);
    for (const part of template) if (!isParameter(part) && part !== '*') this.words.add(part);
  }

  /** The path as logged: its route's template with valid UUIDs kept, or, for no route, known words and UUIDs only. */
  loggablePath(path: string): string {
    const segments = segmentsOf(path);
    const template = this.match(segments);
    const shown: string[] = [];
    for (const [index, segment] of segments.entries()) {
      const part = template?.[index];
      if (part === '*') {
        shown.push('*');
        break;
      }
      if (part !== undefined && !isParameter(part)) shown.push(part);
      else if (segment === '' || isUuid(segment) || (!template && this.words.has(segment))) shown.push(segment);
      else shown.push(INVALID_SEGMENT);
    }
    return `/${shown.join('/')}`;
  }

  /** The template a path matches; the one with most fixed segments when several do, as the router prefers. */
  private match(segments: string[]): Template | undefined {
    let best: { template: Template; fixed: number } | undefined;
    for (const template of this.templates) {
      if (!matches(template, segments)) continue;
      const fixed = template.filter((part) => !isParameter(part) && part !== '*').length;
      if (!best || fixed > best.fixed) best = { template, fixed };
    }
    return best?.template;
  }
}

const segmentsOf = (path: string) => path.replace(/^\/+/, '').split('/');
const isParameter = (part: string) => part.startsWith(':');

function matches(template: Template, segments: string[]): boolean {
  for (const [index, part] of template.entries()) {
    if (part === '*') return true;
    const segment = segments[index];
    if (segment === undefined) return false;
    if (isParameter(part) ? segment === '' : segment !== part) return false;
  }
  return template.length === segments.length;
}

/** The application's routes, one set per process: the logger and the tracer read it, bootstrap fills it. */
export const ROUTE_TEMPLATES = new RouteTemplates();
