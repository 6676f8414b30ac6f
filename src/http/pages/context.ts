import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { requestLang, translator } from '../i18n/labels.js';
import type { PageContext } from './layout.js';

/** The language, words, account and CSRF token of a page request. */
export function pageContext(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): PageContext {
  const lang = requestLang(request, reply, ctx.config.language);
  return {
    t: translator(lang),
    lang,
    url: request.url,
    ...(request.auth ? { user: request.auth.user, csrf: request.auth.session.csrfToken } : {}),
  };
}

/** Sends a whole page. */
export function sendPage(reply: FastifyReply, page: string, status = 200) {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
}
