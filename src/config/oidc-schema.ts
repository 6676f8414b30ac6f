import { z } from 'zod';

/** The console's roles, as the role mapping names them (the same as `bevara users add --role`). */
const ROLE = z.enum(['reader', 'archivist', 'operations', 'admin']);

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** HTTPS, or plain HTTP to this machine only (a provider on loopback, in development and tests). */
const secureUrl = z.url().refine((value) => {
  const url = new URL(value);
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
}, 'must be an https:// URL (http:// only to 127.0.0.1, ::1 or localhost)');

/** A claim name, or a dotted path into nested claims (Keycloak's `realm_access.roles`). */
const claimPath = z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, 'a claim name or dotted path, e.g. groups');

/**
 * OpenID Connect login (authorization code flow with PKCE, state and nonce) beside or instead of local accounts.
 * The provider registers `redirectUrl` for the client; the console's role comes from `roleClaim` through `roles`.
 */
export const oidcSchema = z
  .object({
    /** Shown on the login page: "Log in with <name>". */
    name: z.string().min(1).max(60).default('OpenID Connect'),
    /** The provider's issuer identifier; its `/.well-known/openid-configuration` is read at the first login. */
    issuer: secureUrl,
    clientId: z.string().min(1),
    /**
     * A file whose first line is the client secret (never in the config, never logged). Without it the client
     * is public and relies on PKCE alone.
     */
    clientSecretFile: z.string().min(1).optional(),
    /** This console's callback as registered at the provider: `https://<console>/login/oidc/callback`. */
    redirectUrl: secureUrl.refine(
      (value) => new URL(value).pathname === '/login/oidc/callback',
      'must end with /login/oidc/callback',
    ),
    /** Scopes asked for; must include `openid`, and the scope that carries the role claim. */
    scopes: z
      .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'a scope token'))
      .refine((scopes) => scopes.includes('openid'), 'must include openid')
      .default(['openid', 'profile', 'email']),
    /** The claim naming the person (shown, and recorded as who did what); unique and stable at the provider. */
    nameClaim: claimPath.default('preferred_username'),
    /** The claim (string or list of strings) mapped to a role through `roles`, e.g. `groups` or `roles`. */
    roleClaim: claimPath,
    /** Claim value → role. A person whose claim maps to none is refused. */
    roles: z
      .record(z.string().min(1), ROLE)
      .refine((roles) => Object.keys(roles).length > 0, 'map at least one claim value to a role'),
  })
  .strict();

export type OidcSettings = z.infer<typeof oidcSchema>;
