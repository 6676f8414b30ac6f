/**
 * Console sessions. The session id (32 random bytes) lives only in the user's cookie; the catalog keeps its
 * SHA-256, so a copy of the catalog opens no session. Each session has its own CSRF token (synchronizer token),
 * which every state-changing request must carry: a form field `_csrf` or the header `X-CSRF-Token`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Catalog, SessionRecord, UserRecord } from '../../catalog/types.js';

/** `__Host-`: only over HTTPS (or to localhost), for this host, path `/`; never readable by scripts. */
export const SESSION_COOKIE = '__Host-bevara-session';
/** The token of the login form (double submit), before there is a session. */
export const LOGIN_COOKIE = '__Host-bevara-login';

export const COOKIE_OPTIONS = { path: '/', httpOnly: true, secure: true, sameSite: 'strict' } as const;

const token = () => randomBytes(32).toString('base64url');
export const hashSessionId = (id: string) => createHash('sha256').update(id).digest('hex');

export interface Authenticated {
  user: UserRecord;
  session: SessionRecord;
}

/** Starts a session for `user`: returns the id for the cookie (only place it is kept) and the session. */
export async function startSession(
  catalog: Catalog,
  user: UserRecord,
  now: Date,
  lifetimeMs: number,
): Promise<{ id: string; session: SessionRecord }> {
  const id = token();
  const session: SessionRecord = {
    idHash: hashSessionId(id),
    user: user.name,
    csrfToken: token(),
    createdAt: now,
    expiresAt: new Date(now.getTime() + lifetimeMs),
  };
  await catalog.removeExpiredSessions(now);
  await catalog.addSession(session);
  return { id, session };
}

/** The session and account a cookie value opens, or null (no such session, expired, account removed). */
export async function findSession(
  catalog: Catalog,
  id: string | undefined,
  now: Date,
): Promise<Authenticated | null> {
  if (!id || id.length > 100) return null;
  const session = await catalog.getSession(hashSessionId(id), now);
  if (!session) return null;
  const user = await catalog.getUser(session.user);
  return user ? { user, session } : null;
}

/** Compares two tokens in constant time; a missing or differently long one is simply unequal. */
export function sameToken(expected: string | undefined, given: unknown): boolean {
  if (!expected || typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const newLoginToken = token;

/** A value `newLoginToken` could have made (32 random bytes, base64url). */
export const isLoginToken = (value: string | undefined): value is string =>
  value !== undefined && /^[A-Za-z0-9_-]{43}$/.test(value);
