/**
 * Masking of secrets in URLs, for everything printed, logged or reported: configuration, catalog messages, alert
 * targets, log lines, location descriptions. The one URL masker of bevara. Works on the text, so that a URL that
 * does not parse (or a password holding `@`, `:` or `/`) is masked all the same.
 */

/**
 * Query or fragment parameter names whose values are secrets (`token`, `password`, `sslpassword`, `api_key`,
 * `sig`, Azure's `code`, …), matched on the percent-decoded name.
 */
const SECRET_PARAM = /pass|pwd|token|secret|key|sig|auth|credential|session|code|jwt/i;

/**
 * A URL inside free text: a scheme, `://`, and what follows up to white space, a quote or a backslash (so that a
 * URL inside a JSON string ends before an escape, and masking never breaks the JSON).
 */
const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`\\]*/gi;
const SCHEME = /^([a-z][a-z0-9+.-]*:\/\/)/i;

/** Shortest path segment or parameter value taken for a token (when it mixes letters and digits). */
const TOKEN_MIN_LENGTH = 16;

/**
 * `text` with every URL in it masked: its password (`user:***@`; all the user info when it is a user name alone,
 * which can be the token), the values of secret-looking query and fragment parameters, any value that looks like
 * a token, and, in http(s) URLs, path segments that look like tokens (Slack, Discord and Teams webhooks carry
 * theirs in the path). A text that is one URL (it starts with a scheme and holds no other) is masked whole, so
 * that a password holding white space does not end it early; in other text a URL ends at white space, a quote or
 * a backslash. Text with no URL comes back unchanged.
 */
export function maskUrlText(text: string): string {
  const first = text.indexOf('://');
  if (first === -1) return text;
  const oneUrl = SCHEME.test(text) && text.indexOf('://', first + 3) === -1;
  return oneUrl ? maskOneUrl(text) : text.replace(URL_IN_TEXT, maskOneUrl);
}

function maskOneUrl(url: string): string {
  const scheme = SCHEME.exec(url)?.[1] ?? '';
  let rest = url.slice(scheme.length);
  const at = userinfoEnd(rest);
  let userinfo = '';
  if (at !== -1) {
    const colon = rest.slice(0, at).indexOf(':');
    // user:password shows the user; a user name alone may be the token itself.
    userinfo = `${colon > 0 ? rest.slice(0, colon + 1) : ''}***@`;
    rest = rest.slice(at + 1);
  }
  const hash = rest.indexOf('#');
  const fragment = hash === -1 ? undefined : rest.slice(hash + 1);
  if (hash !== -1) rest = rest.slice(0, hash);
  const mark = rest.indexOf('?');
  const query = mark === -1 ? undefined : rest.slice(mark + 1);
  if (mark !== -1) rest = rest.slice(0, mark);
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  let pathPart = slash === -1 ? '' : rest.slice(slash);
  if (/^https?:/i.test(scheme))
    pathPart = pathPart
      .split('/')
      .map((segment) => (looksLikeToken(segment) ? '***' : segment))
      .join('/');
  return (
    scheme +
    userinfo +
    authority +
    pathPart +
    (query === undefined ? '' : `?${maskParams(query)}`) +
    (fragment === undefined ? '' : `#${maskParams(fragment)}`)
  );
}

/** `a=1&token=x&b` with each secret-named or token-looking value (or bare token) replaced by `***`. */
function maskParams(params: string): string {
  return params
    .split(/([&;])/)
    .map((part) => {
      const equals = part.indexOf('=');
      if (equals === -1) return looksLikeToken(part) ? '***' : part;
      const name = part.slice(0, equals);
      const value = part.slice(equals + 1);
      return SECRET_PARAM.test(decodeName(name)) || looksLikeToken(value) ? `${name}=***` : part;
    })
    .join('');
}

/**
 * A long run of URL-safe characters holding both letters and digits: a token, a key, a signature, a UUID. Words
 * (`XMLSchema-instance`, `CSIPExtensionMETS`) are not, so namespace URIs in reports stay intact.
 */
function looksLikeToken(value: string): boolean {
  return (
    value.length >= TOKEN_MIN_LENGTH &&
    /^[A-Za-z0-9._~+/=%-]+$/.test(value) &&
    /[A-Za-z]/.test(value) &&
    /[0-9]/.test(value)
  );
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replaceAll('+', ' '));
  } catch {
    return name;
  }
}

/**
 * Where the user info ends (its "@"), or -1: the last "@" whose prefix is user info, i.e. holds no "/", "?" or
 * "#" at all, or has its ":" before any of them (a password may hold "@", "/" and "?"; a path or query with an
 * "@" in it has no ":" before its first "/").
 */
function userinfoEnd(rest: string): number {
  for (let at = rest.lastIndexOf('@'); at !== -1; at = rest.lastIndexOf('@', at - 1)) {
    const prefix = rest.slice(0, at);
    const delimiter = prefix.search(/[/?#]/);
    const colon = prefix.indexOf(':');
    if (delimiter === -1 || (colon !== -1 && colon < delimiter)) return at;
  }
  return -1;
}

/** The password in a URL's user info (`scheme://user:password@host`), as written; undefined when there is none. */
export function urlPassword(text: string): string | undefined {
  const scheme = SCHEME.exec(text);
  if (!scheme) return undefined;
  const rest = text.slice(scheme[0].length);
  const at = userinfoEnd(rest);
  if (at === -1) return undefined;
  const colon = rest.indexOf(':');
  return colon !== -1 && colon < at ? rest.slice(colon + 1, at) : undefined;
}
