import type { FastifyInstance } from 'fastify';

/** The media types a body may have: JSON, and JSON merge patch (RFC 7396) for PATCH. */
export const JSON_MEDIA_TYPES = ['application/json', 'application/merge-patch+json'] as const;

/**
 * Bodies are JSON or nothing. Fastify's other parsers (text/plain, and the form parser Nest adds) are
 * removed, so any other media type answers 415 CRM-0039. An empty body with a JSON content type parses
 * as no body: generated clients send the header on GET and DELETE too. Prototype-poisoning keys are
 * refused by the parser (400).
 */
export function acceptJsonBodiesOnly(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser([...JSON_MEDIA_TYPES], { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    void parseJson(request, body as string, done);
  });
}
