/**
 * The gate every request passes: the session from its cookie, the route's access rule against the session's
 * role, and for every state-changing request the session's CSRF token. Unknown paths need a session too, so
 * nothing about the server is learned without one.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { HttpProblem } from '../problem.js';
import { can } from './roles.js';
import { type Authenticated, findSession, SESSION_COOKIE, sameToken } from './sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The session and its account, when the request carries a valid session cookie. */
    auth: Authenticated | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Where a page request without a session is sent: the login page, back here after. */
export function loginRedirect(request: FastifyRequest, reply: FastifyReply) {
  return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
}

export function isPageRequest(request: FastifyRequest): boolean {
  return !request.url.startsWith('/api/') && request.url !== '/metrics' && SAFE_METHODS.has(request.method);
}

/** The signed-in account of a request that passed the gate (every non-public route). */
export function who(request: FastifyRequest): Authenticated {
  if (!request.auth) throw new HttpProblem(401, 'log in first', 'login-required');
  return request.auth;
}

export function registerGuard(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('auth', null);
  app.addHook('onRequest', async (request, reply) => {
    const access = request.routeOptions.config?.access;
    const cookie = request.cookies[SESSION_COOKIE];
    request.auth = cookie ? await findSession(ctx.catalog, cookie, ctx.now()) : null;
    if (access === 'public') return;
    if (!request.auth) {
      if (isPageRequest(request)) return loginRedirect(request, reply);
      throw new HttpProblem(401, 'log in first (POST /api/login, or the login page)', 'login-required');
    }
    if (access !== undefined && !can(request.auth.user.role, access))
      throw new HttpProblem(
        403,
        `the role "${request.auth.user.role}" may not do this (it needs the permission "${access}")`,
        'role',
      );
  });
  app.addHook('preHandler', async (request) => {
    if (SAFE_METHODS.has(request.method) || request.routeOptions.config?.access === 'public') return;
    const header = request.headers['x-csrf-token'];
    const field = (request.body as { _csrf?: unknown } | undefined)?._csrf;
    if (!sameToken(request.auth?.session.csrfToken, header ?? field))
      throw new HttpProblem(403, 'the CSRF token is missing or wrong: reload the page and try again', 'csrf');
  });
  // Every change, with who made it (never a secret: no bodies, no cookies).
  app.addHook('onResponse', async (request, reply) => {
    if (SAFE_METHODS.has(request.method)) return;
    request.log.info(
      {
        user: request.auth?.user.name,
        method: request.method,
        path: request.url.split('?')[0],
        status: reply.statusCode,
      },
      'change requested',
    );
  });
}
