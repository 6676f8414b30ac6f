/**
 * `/login/oidc` sends the browser to the provider; `/login/oidc/callback` takes it back, checks the answer against
 * the login cookie (state, nonce, PKCE verifier), maps the claims to an account and role, and opens a session like
 * a local login. Whatever is refused is told on the login page with the rule, and logged without tokens or codes.
 *
 * The login cookie is `SameSite=Lax`, the one cookie the provider's redirect back must bring along. The session
 * cookie stays `Strict`: the callback answers with a page that goes on by itself (`Refresh`), a navigation from
 * this site, so the browser sends the new session cookie with it (after a redirect it would not).
 */
import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import type { OidcSettings } from '../../config/oidc-schema.js';
import type { LabelKey } from '../i18n/labels.js';
import { pageContext, sendPage } from '../pages/context.js';
import { loggedInPage, loginPage } from '../pages/login.js';
import type { ServerOptions } from '../server.js';
import { upsertOidcUser } from '../users.js';
import { openSession, safeNext } from './login.js';
import { nameFromClaims, OidcRefusal, roleFromClaims } from './oidc-claims.js';
import { createOidcClient, type PendingLogin, readClientSecret } from './oidc-client.js';
import { COOKIE_OPTIONS } from './sessions.js';

export const OIDC_COOKIE = '__Host-bevara-oidc';
const OIDC_COOKIE_OPTIONS = { ...COOKIE_OPTIONS, sameSite: 'lax' } as const;
/** A login not finished within this time starts over. */
const PENDING_SECONDS = 600;

const MESSAGES: Record<OidcRefusal['rule'], LabelKey> = {
  'oidc-no-role': 'login.oidcNoRole',
  'oidc-ambiguous-role': 'login.oidcAmbiguousRole',
  'oidc-no-name': 'login.oidcNoName',
  'oidc-failed': 'login.oidcFailed',
};

function readPending(value: string | undefined): PendingLogin | undefined {
  if (!value || value.length > 2000) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Record<string, unknown>;
    const { state, nonce, verifier, next } = parsed;
    if ([state, nonce, verifier, next].every((v) => typeof v === 'string' && v.length > 0 && v.length < 600))
      return { state, nonce, verifier, next: safeNext(next) } as PendingLogin;
  } catch {
    // An unreadable cookie is as good as none.
  }
  return undefined;
}

export function registerOidcLogin(
  app: FastifyInstance,
  ctx: AppContext,
  options: ServerOptions,
  settings: OidcSettings,
  rateLimited: FastifyContextConfig,
): void {
  // Read at start-up: a missing secret file stops the server with the file named, not the first login.
  const secret = settings.clientSecretFile ? readClientSecret(settings.clientSecretFile) : undefined;
  const oidc = createOidcClient(settings, secret);
  // The provider's button again, without the local form (its token comes with the login page itself).
  const refuse = (request: FastifyRequest, reply: FastifyReply, key: LabelKey, status: number) => {
    const pc = pageContext(ctx, request, reply);
    const form = { token: '', next: '/', local: false, provider: settings.name };
    return sendPage(reply, loginPage(pc, form, pc.t(key, { provider: settings.name })), status);
  };

  app.get('/login/oidc', { config: rateLimited }, async (request, reply) => {
    const next = safeNext((request.query as { next?: unknown }).next);
    try {
      const { url, pending } = await oidc.start(next);
      reply.setCookie(OIDC_COOKIE, Buffer.from(JSON.stringify(pending)).toString('base64url'), {
        ...OIDC_COOKIE_OPTIONS,
        maxAge: PENDING_SECONDS,
      });
      return reply.redirect(url.href, 303);
    } catch (err) {
      const detail = err instanceof OidcRefusal ? err.detail : String(err);
      request.log.error({ rule: 'oidc-failed', err: detail }, 'OpenID Connect login could not start');
      return refuse(request, reply, 'login.oidcFailed', 502);
    }
  });

  app.get('/login/oidc/callback', { config: rateLimited }, async (request, reply) => {
    const pending = readPending(request.cookies[OIDC_COOKIE]);
    reply.clearCookie(OIDC_COOKIE, OIDC_COOKIE_OPTIONS);
    if (!pending) {
      request.log.warn({ rule: 'oidc-state' }, 'OpenID Connect callback without a login in progress');
      return refuse(request, reply, 'login.oidcExpired', 400);
    }
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    try {
      const claims = await oidc.finish(query, pending);
      const name = nameFromClaims(claims, settings);
      const role = roleFromClaims(claims, settings);
      const user = await upsertOidcUser(ctx.catalog, name, role, ctx.now());
      await openSession(ctx, options, reply, request, user);
      reply.header('refresh', `0; url=${pending.next}`);
      return sendPage(reply, loggedInPage(pageContext(ctx, request, reply), pending.next));
    } catch (err) {
      if (!(err instanceof OidcRefusal)) throw err;
      request.log.warn({ rule: err.rule, err: err.detail }, 'OpenID Connect login refused');
      return refuse(request, reply, MESSAGES[err.rule], err.rule === 'oidc-failed' ? 401 : 403);
    }
  });
}
