/**
 * The console as an OpenID Connect relying party (openid-client): the authorization code flow with PKCE (S256),
 * `state` and `nonce`. The provider's metadata is discovered at the first login (a provider that is down does not
 * keep the console from starting) and kept; a failed discovery is tried again at the next login.
 *
 * The ID token's signature is checked against the provider's keys even though it comes straight from the token
 * endpoint (openid-client leaves that optional over TLS); its issuer, audience, expiry and nonce always are.
 * Claims the ID token lacks (providers that keep them for the UserInfo endpoint) are read from there, for the
 * same subject.
 */
import fs from 'node:fs';
import * as client from 'openid-client';
import { ConfigError, errorMessage } from '../../errors.js';
import type { OidcSettings } from '../../config/oidc-schema.js';
import { claimAt, OidcRefusal } from './oidc-claims.js';

/** What the callback must match, kept in the browser's login cookie between the two redirects. */
export interface PendingLogin {
  state: string;
  nonce: string;
  /** PKCE `code_verifier`; only its S256 challenge went to the provider. */
  verifier: string;
  /** Where to go after login (a path of this server). */
  next: string;
}

export interface OidcClient {
  /** Where to send the browser for a new login, and what its callback must match. */
  start(next: string): Promise<{ url: URL; pending: PendingLogin }>;
  /** Checks the callback's query against `pending`, redeems the code, checks the ID token; returns the claims. */
  finish(callbackQuery: string, pending: PendingLogin): Promise<Record<string, unknown>>;
}

/** The client secret: the first line of `file`. Throws `ConfigError` naming the file (never its content). */
export function readClientSecret(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('http.oidc', [
      { path: 'clientSecretFile', message: `cannot read "${file}": ${errorMessage(err)}` },
    ]);
  }
  const secret = text.split(/\r?\n/, 1)[0]?.trim() ?? '';
  if (!secret)
    throw new ConfigError('http.oidc', [{ path: 'clientSecretFile', message: `"${file}" is empty` }]);
  return secret;
}

/**
 * openid-client's message and those of its causes (`invalid response encountered: unexpected "state" …`), with
 * the error code: messages only, never a cause's data (which can hold the token response).
 */
export function describeFailure(err: unknown): string {
  const messages: string[] = [];
  let code: unknown;
  for (let at: unknown = err, depth = 0; at instanceof Error && depth < 4; at = at.cause, depth++) {
    messages.push(at.message);
    code ??= (at as { code?: unknown }).code;
  }
  const text = messages.length > 0 ? messages.join(': ') : errorMessage(err);
  return typeof code === 'string' ? `${text} (${code})` : text;
}

export function createOidcClient(settings: OidcSettings, secret: string | undefined): OidcClient {
  let discovered: Promise<client.Configuration> | undefined;
  const configuration = () => {
    discovered ??= client
      .discovery(
        new URL(settings.issuer),
        settings.clientId,
        { redirect_uris: [settings.redirectUrl], response_types: ['code'] },
        secret === undefined ? client.None() : client.ClientSecretBasic(secret),
        {
          timeout: 15,
          execute: [
            client.enableNonRepudiationChecks,
            // Plain HTTP only to a provider on loopback (the schema allows nothing else).
            ...(new URL(settings.issuer).protocol === 'http:' ? [client.allowInsecureRequests] : []),
          ],
        },
      )
      .catch((err: unknown) => {
        discovered = undefined;
        throw new OidcRefusal('oidc-failed', `discovery of ${settings.issuer} failed: ${errorMessage(err)}`);
      });
    return discovered;
  };

  return {
    async start(next) {
      const config = await configuration();
      const pending: PendingLogin = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        verifier: client.randomPKCECodeVerifier(),
        next,
      };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUrl,
        scope: settings.scopes.join(' '),
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
        code_challenge_method: 'S256',
      });
      return { url, pending };
    },

    async finish(callbackQuery, pending) {
      const config = await configuration();
      // The URL as registered, not as the Host header claims it: only the query comes from the request.
      const current = new URL(settings.redirectUrl);
      current.search = callbackQuery;
      try {
        const tokens = await client.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        const idClaims = tokens.claims();
        if (!idClaims) throw new Error('the token response holds no ID token');
        const claims: Record<string, unknown> = { ...idClaims };
        const lacking = [settings.roleClaim, settings.nameClaim].some(
          (c) => claimAt(claims, c) === undefined,
        );
        if (lacking && config.serverMetadata().userinfo_endpoint) {
          const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
          return { ...info, ...claims };
        }
        return claims;
      } catch (err) {
        throw new OidcRefusal('oidc-failed', describeFailure(err));
      }
    },
  };
}
