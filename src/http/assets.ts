/**
 * The console's two static files, served from memory with a content hash as ETag: one style sheet and one small
 * script for progressive enhancement (every page works without it). No client build chain.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { CONSOLE_CSS } from './assets/console-css.js';
import { CONSOLE_JS } from './assets/console-js.js';

interface Asset {
  body: string;
  type: string;
  etag: string;
}

const asset = (body: string, type: string): Asset => ({
  body,
  type,
  etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
});

export const ASSETS: Record<string, Asset> = {
  '/assets/console.css': asset(CONSOLE_CSS, 'text/css; charset=utf-8'),
  '/assets/console.js': asset(CONSOLE_JS, 'text/javascript; charset=utf-8'),
};

export function registerAssets(app: FastifyInstance): void {
  for (const [url, file] of Object.entries(ASSETS)) {
    app.get(url, { config: { access: 'public' } }, async (request, reply) => {
      reply.header('etag', file.etag).header('cache-control', 'no-cache');
      if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
      return reply.type(file.type).send(file.body);
    });
  }
}
