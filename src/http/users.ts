/** Local accounts of the console: added with `bevara users add`, listed and removed by admins. */
import type { Catalog, UserRecord, UserRole } from '../catalog/types.js';
import { USER_ROLES } from '../catalog/console-types.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { checkPassword, hashPassword } from './auth/passwords.js';

/** 1-64 letters, digits, ".", "_", "-", "@" (an e-mail address fits). */
export const USER_NAME = /^[\p{L}\p{N}._@-]{1,64}$/u;

export function checkRole(role: string): UserRole {
  if (!(USER_ROLES as readonly string[]).includes(role))
    throw new ValidationError('user-role', `[users] role "${role}" is not one of ${USER_ROLES.join(', ')}`);
  return role as UserRole;
}

/** Adds an account with an argon2id hash of `password`. Throws `ValidationError` naming the rule broken. */
export async function addUser(
  catalog: Catalog,
  input: { name: string; role: string; password: string },
  now: Date,
): Promise<UserRecord> {
  const name = input.name.normalize('NFC');
  if (!USER_NAME.test(name))
    throw new ValidationError(
      'user-name',
      `[users] "${input.name}" is not a user name: 1-64 letters, digits, ".", "_", "-" or "@"`,
    );
  const role = checkRole(input.role);
  checkPassword(input.password);
  if (await catalog.getUser(name))
    throw new ValidationError(
      'user-exists',
      `[users] user "${name}" exists; remove it first or choose another name`,
    );
  const user: UserRecord = {
    name,
    role,
    passwordHash: await hashPassword(input.password),
    createdAt: now,
    updatedAt: now,
  };
  await catalog.addUser(user);
  return user;
}

export async function removeUser(catalog: Catalog, name: string): Promise<void> {
  if (!(await catalog.getUser(name))) throw new NotFoundError(`[users] no user "${name}"`);
  await catalog.removeUser(name);
}

/** An account as shown to people and the API: never its hash. */
export function publicUser(user: UserRecord) {
  return { name: user.name, role: user.role, createdAt: user.createdAt, updatedAt: user.updatedAt };
}

/**
 * The account of a person who logged in with OpenID Connect (`oidc:<name>`): added at the first login, its role
 * set from the provider's claims at every login. It has no password (an empty hash verifies nothing), so it opens
 * only through the provider. Two first logins at once both end with the account.
 */
export async function upsertOidcUser(
  catalog: Catalog,
  name: string,
  role: UserRole,
  now: Date,
): Promise<UserRecord> {
  const existing = await catalog.getUser(name);
  if (existing) {
    if (existing.role !== role) await catalog.updateUser(name, { role }, now);
    return { ...existing, role, updatedAt: existing.role !== role ? now : existing.updatedAt };
  }
  const user: UserRecord = { name, role, passwordHash: '', createdAt: now, updatedAt: now };
  try {
    await catalog.addUser(user);
  } catch (err) {
    // Added meanwhile by a login in another tab or server: the account is there; set its role.
    if (!(await catalog.getUser(name))) throw err;
    await catalog.updateUser(name, { role }, now);
  }
  return user;
}
