/**
 * A real OpenID provider (the `oidc-provider` package) in the test process on loopback, with one confidential
 * client for the console and accounts with role claims. Its login and consent pages are oidc-provider's own
 * development interactions (any password), driven over HTTP by `loginAt` with a cookie jar.
 *
 * `forge` puts an attacker between the provider's token endpoint and the console: the token response leaves with
 * an ID token of the attacker's making, to see that the console refuses it.
 */
import { createSign, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

export const CLIENT_ID = 'bevara-console';
export const CLIENT_SECRET = 'test-client-secret-4f9d0c2b7e1a';

/** Accounts by id: their claims (the role claim is `bevara_roles`, in the `roles` scope). */
export const ACCOUNTS: Record<string, Record<string, unknown>> = {
  anna: { preferred_username: 'anna.arkivarie', name: 'Anna Arkivarie', bevara_roles: ['arkiv', 'alla'] },
  olle: { preferred_username: 'olle.drift', name: 'Olle Drift', bevara_roles: ['drift'] },
  ingen: { preferred_username: 'ingen.roll', name: 'Ingen Roll', bevara_roles: ['kaffeklubben'] },
  tom: { preferred_username: 'tom.utan', name: 'Tom Utan' },
};

export type Forgery = 'altered-payload' | 'wrong-issuer' | 'wrong-key';

export interface TestProvider {
  issuer: string;
  /** Until set back to undefined, every ID token the token endpoint gives is replaced by this forgery. */
  forge: Forgery | undefined;
  close(): Promise<void>;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const parts = (jwt: string) =>
  jwt
    .split('.')
    .slice(0, 2)
    .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));

function signRs256(
  header: object,
  payload: object,
  key: ReturnType<typeof generateKeyPairSync>['privateKey'],
) {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
}

/** The forged counterpart of a genuine ID token (same audience, nonce, times: only what the name says differs). */
function forgeIdToken(genuine: string, forgery: Forgery, kid: string): string {
  const [header, payload] = parts(genuine) as [Record<string, unknown>, Record<string, unknown>];
  const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  if (forgery === 'altered-payload') {
    const [h, , signature] = genuine.split('.');
    return `${h}.${b64({ ...payload, sub: 'olle', bevara_roles: ['admin'] })}.${signature}`;
  }
  if (forgery === 'wrong-issuer')
    return signRs256(
      { ...header, kid: 'attacker' },
      { ...payload, iss: 'http://127.0.0.1:1/evil' },
      attacker,
    );
  return signRs256({ ...header, kid }, payload, attacker);
}

/**
 * `host: 'localhost'` puts the provider on another site than a console on 127.0.0.1 (sites ignore ports), as a
 * real provider is, so that a browser applies its cross-site cookie rules to the redirect back.
 */
export async function startProvider(
  redirectUrl: string,
  host: '127.0.0.1' | 'localhost' = '127.0.0.1',
): Promise<TestProvider> {
  const server = http.createServer();
  // `localhost` may resolve to ::1 or 127.0.0.1: listen on both.
  await new Promise<void>((resolve) => server.listen(0, host === 'localhost' ? '::' : host, resolve));
  const address = server.address();
  const issuer = `http://${host}:${typeof address === 'object' && address ? address.port : 0}`;
  const kid = 'test-key-1';
  const signing = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const jwk = { ...(signing.export({ format: 'jwk' }) as JsonWebKey), kid, use: 'sig', alg: 'RS256' };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [redirectUrl],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [jwk as never] },
    pkce: { required: () => true },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], roles: ['bevara_roles'] },
    cookies: { keys: ['test-cookie-key-0123456789abcdef'] },
    findAccount: (_ctx, id) => {
      const claims = ACCOUNTS[id];
      return claims ? { accountId: id, claims: async () => ({ sub: id, ...claims }) } : undefined;
    },
  });
  const state: TestProvider = {
    issuer,
    forge: undefined,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (state.forge && ctx.path === '/token' && typeof body?.id_token === 'string')
      ctx.body = { ...body, id_token: forgeIdToken(body.id_token, state.forge, kid) };
  });
  server.on('request', provider.callback());
  return state;
}
