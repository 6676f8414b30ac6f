/**
 * The authorization matrix: every route the server registered (its own list, `app.bevaraRoutes`, so a new route
 * is in the matrix without anyone adding it here), tried with no session and with each role, and every changing
 * one also with a missing and a forged CSRF token. What each must answer follows from the route's declared access
 * and `ROLE_PERMISSIONS` alone.
 *
 * Covered elsewhere: login, sessions, expiry and the CSRF token of the login form and of logout (auth.test.ts);
 * restricted records, whose downloads are refused to a reader and an operator and given to an archivist, which
 * depends on the record and not on the route (api.test.ts, "refuses a restricted record's files…").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can } from '../../src/http/auth/roles.js';
import type { Access } from '../../src/http/server.js';
import {
  type Console,
  addRoleUsers,
  login,
  ROLES,
  type Role,
  type Session,
  startConsole,
} from './harness.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * How the gate answered: `login` (401 `login-required`, or a page request sent to the login page), `role` (403,
 * the role lacks the permission), `csrf` (403, token missing or wrong), or `passed` (anything else below 500: the
 * route itself answered, be it 200, 201, 204, a redirect, 404 for a placeholder id, 422 for an empty body, or the
 * login routes' own refusals of an empty form).
 */
type Outcome = 'login' | 'role' | 'csrf' | 'passed' | `error ${number}`;

async function outcomeOf(res: Response): Promise<Outcome> {
  const location = res.headers.get('location') ?? '';
  if (res.status === 303 && location.startsWith('/login?next=')) return 'login';
  if (res.status >= 500) return `error ${res.status}`;
  if (
    (res.status === 401 || res.status === 403) &&
    (res.headers.get('content-type') ?? '').includes('json')
  ) {
    const rule = ((await res.json()) as { rule?: string }).rule;
    if (res.status === 401 && rule === 'login-required') return 'login';
    if (res.status === 403 && (rule === 'role' || rule === 'csrf')) return rule;
    return 'passed';
  }
  await res.body?.cancel();
  return 'passed';
}

/** A route's path with placeholders for its parameters (nothing by these names exists: 404 past the gate). */
const concrete = (path: string) => path.replace(/\{(\w+)\}/g, (_, name: string) => `ingen-${name}`);

describe('authorization matrix over every registered route', () => {
  let c: Console;
  const sessions = new Map<Role, Session>();

  beforeAll(async () => {
    c = await startConsole({ server: { loginAttemptsPerMinute: 1000 } });
    await addRoleUsers(c.ctx);
    for (const role of ROLES) sessions.set(role, await login(c.url, role));
  });
  afterAll(async () => c.close());

  /** Sends the route's request as `who` (no session when undefined) with the CSRF token given. */
  async function attempt(method: string, path: string, who: Session | undefined, csrf?: string | null) {
    const init = { method, csrf, ...(SAFE.has(method) ? {} : { json: {} }) };
    if (who) return outcomeOf(await who.fetch(path, init));
    const headers: Record<string, string> = SAFE.has(method) ? {} : { 'content-type': 'application/json' };
    return outcomeOf(
      await fetch(`${c.url}${path}`, {
        method,
        headers,
        redirect: 'manual',
        ...(SAFE.has(method) ? {} : { body: '{}' }),
      }),
    );
  }

  it('lists the routes it tries: public ones, and each permission of the roles', () => {
    const routes = c.app.bevaraRoutes;
    expect(routes.length).toBeGreaterThan(30);
    const accesses = new Set(routes.map((r) => r.access));
    for (const access of ['public', 'read', 'download', 'restricted', 'jobs', 'audits', 'users'] as Access[])
      if (access !== 'restricted') expect(accesses, access).toContain(access);
    expect(routes.map((r) => r.route)).toContain('GET /metrics');
    expect(new Set(routes.map((r) => r.route)).size).toBe(routes.length);
  });

  it('answers each route as its declared access says, for no session and every role', async () => {
    const expected: string[] = [];
    const actual: string[] = [];
    for (const { route, access } of c.app.bevaraRoutes) {
      const [method = '', template = ''] = route.split(' ');
      const path = concrete(template);
      const row = (who: string, outcome: Outcome) => `${route} as ${who}: ${outcome}`;
      const changing = !SAFE.has(method);
      // Logging out ends the session: an attempt that gets that far has a session of its own.
      const passing = async (role: Role) =>
        changing && template.endsWith('/logout') ? login(c.url, role) : sessions.get(role);

      expected.push(row('nobody', access === 'public' ? 'passed' : 'login'));
      actual.push(row('nobody', await attempt(method, path, undefined)));
      for (const role of ROLES) {
        const allowed = access === 'public' || can(role, access);
        if (changing && access !== 'public') {
          const other = sessions.get(role === 'admin' ? 'reader' : 'admin')?.csrf;
          for (const [name, token] of [
            ['no CSRF token', null],
            ['a made-up CSRF token', 'x'.repeat(43)],
            ["another session's CSRF token", other],
          ] as const) {
            expected.push(row(`${role} with ${name}`, allowed ? 'csrf' : 'role'));
            actual.push(row(`${role} with ${name}`, await attempt(method, path, sessions.get(role), token)));
          }
        }
        expected.push(row(role, allowed ? 'passed' : 'role'));
        actual.push(row(role, await attempt(method, path, await passing(role))));
      }
    }
    const wrong = actual.filter((line, i) => line !== expected[i]);
    expect(wrong, `expected:\n${expected.filter((line, i) => line !== actual[i]).join('\n')}`).toEqual([]);
    expect(actual).toHaveLength(expected.length);
    for (const outcome of ['login', 'role', 'csrf', 'passed'])
      expect(expected.some((line) => line.endsWith(`: ${outcome}`))).toBe(true);
  });
});
