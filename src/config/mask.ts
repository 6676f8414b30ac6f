/**
 * Masking of secrets in URLs, for everything printed or logged: configuration, catalog messages, alerts. Works on
 * the text, so that a URL that does not parse (or a password holding `@`, `:` or `/`) is masked all the same.
 */

/** Query parameter names whose values are secrets (`token`, `password`, `sslpassword`, `api_key`, `sig`, …). */
const SECRET_PARAM = /pass|pwd|token|secret|key|sig|auth|credential|session/i;

/**
 * `text` with the user info of a `scheme://user:password@host` URL (all of it: a user name alone can be a token)
 * and the values of secret-looking query parameters replaced by `***`. Text that is no URL comes back unchanged.
 */
export function maskUrlText(text: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*:\/\/)/i.exec(text);
  if (!scheme) return text;
  const rest = text.slice(scheme[0].length);
  const at = userinfoEnd(rest);
  let hostAndRest = rest;
  if (at !== -1) {
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(':');
    // user:password shows the user; a user name alone may be the token itself.
    hostAndRest = `${colon > 0 ? `${userinfo.slice(0, colon)}:` : ''}***@${rest.slice(at + 1)}`;
  }
  const masked = hostAndRest.replace(/([?&])([^=&#]+)=([^&#]*)/g, (whole, sep: string, name: string) =>
    SECRET_PARAM.test(name) ? `${sep}${name}=***` : whole,
  );
  return `${scheme[0]}${masked}`;
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
  const scheme = /^([a-z][a-z0-9+.-]*:\/\/)/i.exec(text);
  if (!scheme) return undefined;
  const rest = text.slice(scheme[0].length);
  const at = userinfoEnd(rest);
  if (at === -1) return undefined;
  const colon = rest.indexOf(':');
  return colon !== -1 && colon < at ? rest.slice(colon + 1, at) : undefined;
}
