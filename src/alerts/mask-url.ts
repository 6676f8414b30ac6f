/**
 * Webhook URLs often carry credentials: `https://user:pass@host/...` or a token in the query
 * (`?token=...`). Everything that leaves the alerter (log lines, delivery results, error messages) goes
 * through these helpers first; the URL itself is shown as `maskUrlText` (config/mask.ts) masks every URL.
 */

/** Values shorter than this are not scrubbed from free text: replacing "1" everywhere would garble messages. */
const MIN_SCRUB_LENGTH = 4;

/**
 * Returns a function that replaces, in any text, the full URL, its userinfo, its query and each query value
 * (raw and decoded), and the given secrets, with `***`. Used on error messages from the network stack, which
 * should not contain them but are not ours to trust.
 */
export function createScrubber(url: URL, secrets: readonly string[] = []): (text: string) => string {
  const raw = new Set<string>([url.href, url.search.slice(1), url.username, url.password, ...secrets]);
  for (const value of [url.username, url.password]) raw.add(safeDecode(value));
  for (const [name, value] of url.searchParams) {
    raw.add(value);
    raw.add(`${name}=${value}`);
    raw.add(encodeURIComponent(value));
  }
  const needles = [...raw].filter((s) => s.length >= MIN_SCRUB_LENGTH).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const needle of needles) out = out.split(needle).join('***');
    return out;
  };
}

/** `decodeURIComponent`, or the value itself when it is not valid percent-encoding. */
export function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
