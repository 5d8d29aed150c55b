import { BadRequestException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { nestsDeeperThan } from './json-depth';

export const MAX_JSON_DEPTH = 32;

/**
 * Makes JSON the only body the service reads: every other content type, and a body without one,
 * answers 415 (so a cross-site HTML form cannot post to the API). JSON nested deeper than
 * {@link MAX_JSON_DEPTH} answers 400 before it is parsed. Parsing is Fastify's own, which refuses
 * `__proto__` and `constructor` keys. Replaces Nest's parsers (`bodyParser: false`).
 */
export function acceptOnlyJsonBodies(fastify: FastifyInstance, bodyLimit: number): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit },
    (request, body, done) => {
      const text = body as string; // parseAs: 'string'
      if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
        done(new BadRequestException(`JSON may nest at most ${MAX_JSON_DEPTH} levels`), undefined);
        return;
      }
      void parseJson(request, text, done);
    },
  );
}
