/**
 * Logging in and out. The login form carries a token of its own, matched against a cookie set with the form
 * (double submit: no other site can post it); the JSON login takes `application/json` only, which no other site
 * can send without the browser asking first. Both are rate limited per client address. A failed login says
 * nothing of which half was wrong, and an unknown name costs as much time as a wrong password.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import type { UserRecord } from '../../catalog/types.js';
import { pageContext, sendPage } from '../pages/context.js';
import { loginPage } from '../pages/login.js';
import { HttpProblem } from '../problem.js';
import type { ServerOptions } from '../server.js';
import { who } from './guard.js';
import { verifyPassword } from './passwords.js';
import { ROLE_PERMISSIONS } from './roles.js';
import {
  COOKIE_OPTIONS,
  isLoginToken,
  LOGIN_COOKIE,
  newLoginToken,
  SESSION_COOKIE,
  sameToken,
  startSession,
} from './sessions.js';

/** Only a path of this server: never `//other.example` or a URL. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) && !next.startsWith('/login') ? next : '/';
}

/** Starts a session for `user` and sets its cookie (the same for local and OpenID Connect logins). */
export async function openSession(
  ctx: AppContext,
  options: ServerOptions,
  reply: FastifyReply,
  request: FastifyRequest,
  user: UserRecord,
) {
  const { id, session } = await startSession(ctx.catalog, user, ctx.now(), options.sessionMs);
  reply.setCookie(SESSION_COOKIE, id, { ...COOKIE_OPTIONS, maxAge: Math.floor(options.sessionMs / 1000) });
  request.log.info({ user: user.name, role: user.role }, 'logged in');
  return session;
}

/** Route config of every login route: public, and at most `loginAttemptsPerMinute` per client address. */
export function loginRateLimit(options: ServerOptions) {
  return {
    access: 'public' as const,
    rateLimit: {
      max: options.loginAttemptsPerMinute,
      timeWindow: 60_000,
      errorResponseBuilder: () =>
        new HttpProblem(429, 'too many login attempts from this address; wait a minute', 'login-rate'),
    },
  };
}

export async function registerLogin(
  app: FastifyInstance,
  ctx: AppContext,
  options: ServerOptions,
): Promise<void> {
  const http = ctx.config.http;
  await app.register(rateLimit, { global: false });
  const limited = loginRateLimit(options);

  async function check(name: unknown, password: unknown) {
    if (typeof name !== 'string' || typeof password !== 'string') return null;
    // Accounts of OpenID Connect logins (`oidc:…`) have no password: they are as unknown here as any other.
    const user = name.includes(':') ? null : await ctx.catalog.getUser(name.normalize('NFC'));
    return (await verifyPassword(user?.passwordHash, password)) ? user : null;
  }

  const renderLogin = (
    request: FastifyRequest,
    reply: FastifyReply,
    next: string,
    error?: string,
    status = 200,
  ) => {
    // Keep the token of the login cookie the browser already holds: its other requests without a session (the
    // favicon it asks for by itself, a second tab) are sent here too, and a new token would replace the cookie
    // under the form on screen, which then always failed as expired.
    const held = request.cookies[LOGIN_COOKIE];
    const token = isLoginToken(held) ? held : newLoginToken();
    reply.setCookie(LOGIN_COOKIE, token, { ...COOKIE_OPTIONS, maxAge: 3600 });
    const form = { token, next, local: http.localLogin, provider: http.oidc?.name };
    return sendPage(reply, loginPage(pageContext(ctx, request, reply), form, error), status);
  };

  app.get('/login', { config: { access: 'public' } }, async (request, reply) => {
    const next = safeNext((request.query as { next?: unknown }).next);
    if (request.auth) return reply.redirect(next, 303);
    return renderLogin(request, reply, next);
  });

  app.post('/login', { config: limited }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    const t = pageContext(ctx, request, reply).t;
    if (!http.localLogin)
      return renderLogin(
        request,
        reply,
        next,
        t('login.localDisabled', { provider: http.oidc?.name ?? '' }),
        403,
      );
    if (!sameToken(request.cookies[LOGIN_COOKIE], body._csrf))
      return renderLogin(request, reply, next, t('login.expired'), 403);
    const user = await check(body.name, body.password);
    if (!user) {
      request.log.warn(
        { user: typeof body.name === 'string' ? body.name.slice(0, 64) : undefined },
        'login failed',
      );
      return renderLogin(request, reply, next, t('login.failed'), 401);
    }
    await openSession(ctx, options, reply, request, user);
    reply.clearCookie(LOGIN_COOKIE, COOKIE_OPTIONS);
    return reply.redirect(next, 303);
  });

  app.post('/api/login', { config: limited }, async (request, reply) => {
    if (!request.headers['content-type']?.startsWith('application/json'))
      throw new HttpProblem(415, 'send {"name", "password"} as application/json', 'login-json');
    if (!http.localLogin)
      throw new HttpProblem(
        403,
        'local accounts are turned off (http.localLogin: false)',
        'login-local-disabled',
      );
    const body = (request.body ?? {}) as Record<string, unknown>;
    const user = await check(body.name, body.password);
    if (!user) {
      request.log.warn(
        { user: typeof body.name === 'string' ? body.name.slice(0, 64) : undefined },
        'login failed',
      );
      throw new HttpProblem(401, 'wrong user name or password', 'login-failed');
    }
    const session = await openSession(ctx, options, reply, request, user);
    return {
      user: { name: user.name, role: user.role },
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt,
    };
  });

  async function logout(request: FastifyRequest, reply: FastifyReply) {
    const { user, session } = who(request);
    await ctx.catalog.removeSession(session.idHash);
    reply.clearCookie(SESSION_COOKIE, COOKIE_OPTIONS);
    request.log.info({ user: user.name }, 'logged out');
  }
  app.post('/logout', { config: { access: 'read' } }, async (request, reply) => {
    await logout(request, reply);
    return reply.redirect('/login', 303);
  });
  app.post('/api/logout', { config: { access: 'read' } }, async (request, reply) => {
    await logout(request, reply);
    return reply.code(204).send();
  });

  app.get('/api/session', { config: { access: 'read' } }, async (request) => {
    const { user, session } = who(request);
    return {
      user: { name: user.name, role: user.role },
      permissions: ROLE_PERMISSIONS[user.role],
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt,
    };
  });
}
