/**
 * Password hashing with argon2id (RFC 9106), the parameters in the PHC string it returns, so that raising them
 * later leaves old hashes readable. Passwords are never stored, logged or compared as text.
 */
import argon2 from 'argon2';
import { ValidationError } from '../../errors.js';

/** RFC 9106's second recommended option: 64 MiB, 3 passes, 4 lanes. */
const OPTIONS = { type: argon2.argon2id, memoryCost: 65_536, timeCost: 3, parallelism: 4 } as const;

export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 1024;

/** Checks a new password against the policy: 12 to 1024 characters. Throws `ValidationError` (`password`). */
export function checkPassword(password: string): void {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH)
    throw new ValidationError(
      'password',
      `[users] a password must have ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters (this one has ${length})`,
    );
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

/** A hash of nothing anyone knows, verified against for unknown names so that both take the same time. */
let decoy: Promise<string> | undefined;

/** Whether `password` matches `hash`; with no hash (no such user) it spends the same time and says no. */
export async function verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  if (hash === undefined) {
    decoy ??= hashPassword(`decoy-${Math.random()}`);
    await argon2.verify(await decoy, password).catch(() => false);
    return false;
  }
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}
