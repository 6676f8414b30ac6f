/**
 * An in-process console on port 0 over a real data folder: a SQLite catalog (or PostgreSQL), an fs location,
 * fixtures ingested by the real engine. Nothing is mocked.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type AppContext, type GlobalOptions, openContext } from '../../src/app/context.js';
import { createServer, type ServerOptions } from '../../src/http/server.js';
import { addUser } from '../../src/http/users.js';
import { createLogger } from '../../src/logger.js';

export interface Console {
  ctx: AppContext;
  app: FastifyInstance;
  /** `http://127.0.0.1:<port>` */
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `bevara-http-${prefix}-`));
}

export async function startConsole(
  options: {
    dataDir?: string;
    globals?: GlobalOptions;
    server?: Partial<ServerOptions>;
    /** Collects every log line (JSON, level debug) here instead of discarding them. */
    logs?: string[];
    /**
     * Configuration written to `<dataDir>/bevara.config.json`, over packaging and audits in this thread (worker
     * threads load compiled files, which tests running the TypeScript sources do not have).
     */
    config?: Record<string, unknown>;
    /** Port to listen on (a redirect URL may have to name it before the start); default any free one. */
    port?: number;
  } = {},
): Promise<Console> {
  const dataDir = options.dataDir ?? tempDir('data');
  const config = path.join(dataDir, 'bevara.config.json');
  const { ingest, audit, ...rest } = options.config ?? {};
  fs.writeFileSync(
    config,
    JSON.stringify({
      ingest: { workers: 1, ...(ingest as object) },
      audit: { workers: 1, ...(audit as object) },
      ...rest,
    }),
  );
  const ctx = await openContext({ dataDir, logLevel: 'silent', config, ...options.globals });
  const logs = options.logs;
  if (logs)
    ctx.logger = createLogger({
      level: 'debug',
      format: 'json',
      sink: { write: (line) => void logs.push(line) },
    });
  const app = await createServer(ctx, options.server);
  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const address = app.addresses()[0];
  const port = typeof address === 'object' ? address.port : 0;
  return {
    ctx,
    app,
    url: `http://127.0.0.1:${port}`,
    dataDir,
    async close() {
      await app.close();
      await ctx.close();
    },
  };
}

export const ROLES = ['reader', 'archivist', 'operations', 'admin'] as const;
export type Role = (typeof ROLES)[number];
/** Every test account's password. */
export const PASSWORD = 'korrekt häst batteri häftstift';

/** One account per role, named after it. */
export async function addRoleUsers(ctx: AppContext): Promise<void> {
  for (const role of ROLES) await addUser(ctx.catalog, { name: role, role, password: PASSWORD }, ctx.now());
}

/** A signed-in client: its cookie and CSRF token, and fetch with both. */
export interface Session {
  cookie: string;
  csrf: string;
  fetch(path: string, init?: RequestInit & { json?: unknown; csrf?: string | null }): Promise<Response>;
}

/** Cookie header value from a response's Set-Cookie headers (name=value pairs only). */
export function cookiesOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

export function client(url: string, cookie: string, csrf: string): Session {
  return {
    cookie,
    csrf,
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      if (cookie && !headers.has('cookie')) headers.set('cookie', cookie);
      const token = init.csrf === undefined ? csrf : init.csrf;
      if (token !== null && token !== '') headers.set('x-csrf-token', token);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      return fetch(`${url}${path}`, { ...init, headers, body, redirect: 'manual' });
    },
  };
}

/** Logs in through the JSON API. */
export async function login(url: string, name: string, password = PASSWORD): Promise<Session> {
  const res = await fetch(`${url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  if (res.status !== 200) throw new Error(`login of ${name} failed: ${res.status} ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return client(url, cookiesOf(res), csrfToken);
}

/** Polls `probe` every 200 ms until it gives a value (or `ms` pass: then it throws). */
export async function until<T>(probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}
