/**
 * `bevara serve`: the web console and HTTP API, one fastify instance built from the application context (no
 * module state), so that tests start it in-process on port 0 and several servers can run in one process.
 *
 * Every route declares who may reach it (`config.access`): `public` (health, login, static assets, `/metrics`
 * when configured open) or a permission that the session's role must grant. A route without one is refused at
 * start-up, so nothing is reachable by accident.
 */
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import type { AppContext } from '../app/context.js';
import { registerApi } from './api/index.js';
import { registerAssets } from './assets.js';
import { registerGuard } from './auth/guard.js';
import { loginRateLimit, registerLogin } from './auth/login.js';
import { registerOidcLogin } from './auth/oidc-routes.js';
import { registerMetrics } from './metrics.js';
import { registerHealth, createStorageProbe, type WorkerProbe } from './health.js';
import { PROBLEM_TYPE, problem, problemOf } from './problem.js';
import { pageContext, sendPage } from './pages/context.js';
import { registerPages } from './pages/routes.js';
import { errorPage } from './pages/error.js';
import { HELMET_OPTIONS } from './security.js';
import { createBackgroundWork } from './services/background.js';

/** Who may reach a route: anyone, or a session whose role grants the permission. */
export type Access = 'public' | Permission;

/** What roles grant (see `auth/roles.ts`). */
export type Permission = 'read' | 'download' | 'restricted' | 'jobs' | 'audits' | 'users';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyInstance {
    /** Every route registered, `METHOD /path/{param}` (HEAD left out), with its access rule. */
    bevaraRoutes: { route: string; access: Access }[];
  }
}

export interface ServerOptions {
  /** `/metrics` without login (for a Prometheus scraper) or only for a session. Default: config `http.metrics`. */
  metrics: 'open' | 'login';
  /** Sessions end this long after login. Default: config `http.sessionHours`. */
  sessionMs: number;
  /** Login attempts per client address and minute. Default: config `http.loginAttemptsPerMinute`. */
  loginAttemptsPerMinute: number;
  /** Take client address and protocol from X-Forwarded-* (behind a proxy). Default: config `http.trustProxy`. */
  trustProxy: boolean;
  /** How long a storage check is reused by `/readyz` and the overview. Default 30 s. */
  storageCheckMs: number;
  /** Inside `bevara worker --http`: the worker's health, which `/healthz` and `/readyz` then tell too. */
  worker?: WorkerProbe;
}

export function serverOptions(ctx: AppContext, overrides: Partial<ServerOptions> = {}): ServerOptions {
  const http = ctx.config.http;
  return {
    metrics: http.metrics,
    sessionMs: http.sessionHours * 3_600_000,
    loginAttemptsPerMinute: http.loginAttemptsPerMinute,
    trustProxy: http.trustProxy,
    storageCheckMs: 30_000,
    ...overrides,
  };
}

/** True for requests of the JSON API, which are answered with JSON and problem+json, never with pages. */
export const isApi = (request: FastifyRequest) => request.url.startsWith('/api/');

/** A browser asking for a page (not the API, not a script): errors are told as pages. */
function wantsPage(request: FastifyRequest): boolean {
  return (
    !isApi(request) && request.url !== '/metrics' && (request.headers.accept ?? '').includes('text/html')
  );
}

export async function createServer(
  ctx: AppContext,
  overrides: Partial<ServerOptions> = {},
): Promise<FastifyInstance> {
  const options = serverOptions(ctx, overrides);
  const app = Fastify({
    loggerInstance: ctx.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Requests are logged where they change something, with who did it (see auth/), not each one.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: options.trustProxy,
    bodyLimit: 1024 * 1024,
  });
  const routes: FastifyInstance['bevaraRoutes'] = [];
  app.decorate('bevaraRoutes', routes);
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (access === undefined)
      throw new Error(`[http] route ${String(route.method)} ${route.url} declares no access rule`);
    for (const method of [route.method].flat())
      if (method !== 'HEAD')
        routes.push({ route: `${method} ${route.url.replace(/:(\w+)/g, '{$1}')}`, access });
  });
  await app.register(helmet, HELMET_OPTIONS);
  await app.register(formbody);

  app.setErrorHandler((err, request, reply) => {
    const { problem: told, exposed } = problemOf(err);
    if (!exposed || told.status >= 500) request.log.error({ err, url: request.url }, 'request failed');
    if (wantsPage(request))
      return sendPage(reply, errorPage(pageContext(ctx, request, reply), told), told.status);
    return reply.code(told.status).type(PROBLEM_TYPE).send(told);
  });
  app.setNotFoundHandler({}, (request, reply) => {
    const told = problem(404, `nothing at ${request.method} ${request.url.split('?')[0]}`);
    if (wantsPage(request)) return sendPage(reply, errorPage(pageContext(ctx, request, reply), told), 404);
    return reply.code(404).type(PROBLEM_TYPE).send(told);
  });
  await app.register(cookie);
  registerGuard(app, ctx);
  await registerLogin(app, ctx, options);
  const oidc = ctx.config.http.oidc;
  if (oidc) registerOidcLogin(app, ctx, options, oidc, loginRateLimit(options));

  const storage = createStorageProbe(ctx, options.storageCheckMs);
  const work = createBackgroundWork(ctx);
  app.addHook('onClose', async () => work.close());
  const deps = { ctx, options, storage, work };
  registerHealth(app, ctx, storage, options.worker);
  registerAssets(app);
  registerMetrics(app, deps);
  registerApi(app, deps);
  registerPages(app, deps);
  return app;
}

/** `host:port` (IPv6 in brackets) as fastify's listen takes it. */
export function parseListen(listen: string): { host: string; port: number } {
  const at = listen.lastIndexOf(':');
  const host = listen.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const port = Number(listen.slice(at + 1));
  return { host, port };
}
