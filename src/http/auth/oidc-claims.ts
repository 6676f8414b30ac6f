/**
 * Who an OpenID Connect login is, from the provider's claims: the account name (`oidc:` and the name claim, so it
 * never meets a local account, whose names hold no ":") and the role the role claim maps to. Pure: claims in,
 * account or refusal out.
 */
import type { UserRole } from '../../catalog/types.js';
import type { OidcSettings } from '../../config/oidc-schema.js';

/** Prefix of every account made by OpenID Connect login; local names cannot contain ":". */
export const OIDC_NAME_PREFIX = 'oidc:';

/** Why a login was refused: `rule` for the log and the message key, `detail` for the operator's log. */
export class OidcRefusal extends Error {
  constructor(
    readonly rule: 'oidc-no-role' | 'oidc-ambiguous-role' | 'oidc-no-name' | 'oidc-failed',
    readonly detail: string,
  ) {
    super(`[oidc] ${detail}`);
    this.name = 'OidcRefusal';
  }
}

/** The value at a claim name or dotted path (`realm_access.roles`). */
export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  let value: unknown = claims;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * The one role the role claim maps to. A person in several mapped groups gets `admin` if one maps there, and
 * `reader` only when nothing else maps; `archivist` and `operations` together are refused (neither includes the
 * other, and granting both would be `admin`).
 */
export function roleFromClaims(claims: Record<string, unknown>, settings: OidcSettings): UserRole {
  const raw = claimAt(claims, settings.roleClaim);
  const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
  const mapped = new Set(
    values.flatMap((v) => (Object.hasOwn(settings.roles, v) ? [settings.roles[v]] : [])),
  );
  if (mapped.has('admin')) return 'admin';
  mapped.delete('reader');
  const [only, ...more] = [...mapped].filter((r): r is UserRole => r !== undefined);
  if (more.length > 0)
    throw new OidcRefusal(
      'oidc-ambiguous-role',
      `claim "${settings.roleClaim}" maps to several roles (${[only, ...more].join(', ')}); map the person to one`,
    );
  if (only) return only;
  if (values.some((v) => settings.roles[v] === 'reader')) return 'reader';
  throw new OidcRefusal(
    'oidc-no-role',
    raw === undefined
      ? `the provider sent no claim "${settings.roleClaim}"`
      : `no value of claim "${settings.roleClaim}" is mapped to a role in http.oidc.roles`,
  );
}

/** `oidc:<name claim>`: 1-128 printable characters without white space. */
export function nameFromClaims(claims: Record<string, unknown>, settings: OidcSettings): string {
  const value = claimAt(claims, settings.nameClaim);
  const name = typeof value === 'string' ? value.normalize('NFC') : '';
  if (!/^[^\s\p{C}]{1,128}$/u.test(name))
    throw new OidcRefusal(
      'oidc-no-name',
      `the provider sent no usable claim "${settings.nameClaim}" (1-128 characters without spaces)`,
    );
  return `${OIDC_NAME_PREFIX}${name}`;
}
