/**
 * A browser's navigation over plain fetch: a cookie jar (by name; the console and the provider both live on
 * 127.0.0.1, as they would in a browser on one host) and redirects followed one by one, so that tests see each
 * hop. Forms of the provider's login and consent pages are filled in by `loginAt`.
 */
export interface Hop {
  url: string;
  status: number;
  location?: string;
  setCookies: string[];
  headers: Headers;
  body: string;
}

export class Jar {
  readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  take(res: Response): string[] {
    const set = res.headers.getSetCookie();
    for (const line of set) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const gone = attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (gone || pair.slice(at + 1) === '') this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(at + 1));
    }
    return set;
  }

  /** One request, no redirect followed. */
  async hop(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Hop> {
    const res = await fetch(url, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers: {
        cookie: this.header(),
        accept: 'text/html',
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
      redirect: 'manual',
    });
    const setCookies = this.take(res);
    const location = res.headers.get('location') ?? undefined;
    return {
      url,
      status: res.status,
      location: location ? new URL(location, url).href : undefined,
      setCookies,
      headers: res.headers,
      body: await res.text(),
    };
  }

  /**
   * Follows redirects from `url` until an answer that is not one, or one to a URL `stop` accepts (not
   * requested); every hop in order.
   */
  async follow(
    url: string,
    init: { form?: Record<string, string> } = {},
    stop: (location: string) => boolean = () => false,
  ): Promise<Hop[]> {
    const hops = [await this.hop(url, init)];
    for (let last = hops[0]; last?.location && !stop(last.location) && hops.length < 20; ) {
      last = await this.hop(last.location);
      hops.push(last);
    }
    return hops;
  }
}

/**
 * Logs `account` in at the provider, starting from the console's `/login/oidc`: follows redirects, fills in the
 * provider's login form (any password) and consent form. Returns every hop; the last is the console's callback
 * answer (or wherever the flow ended), or with `beforeCallback` the provider's redirect to it, not yet followed.
 */
export async function loginAt(
  jar: Jar,
  consoleUrl: string,
  account: string,
  options: { next?: string; beforeCallback?: boolean } = {},
): Promise<Hop[]> {
  const stop = (location: string) => !!options.beforeCallback && location.includes('/login/oidc/callback');
  const start = `${consoleUrl}/login/oidc?next=${encodeURIComponent(options.next ?? '/')}`;
  const hops = await jar.follow(start, {}, stop);
  for (let round = 0; round < 4; round++) {
    const last = hops.at(-1);
    const form = last?.body.match(/<form[^>]*action="([^"]+)"[^>]*method="post"/);
    const prompt = last?.body.match(/name="prompt" value="(\w+)"/)?.[1];
    if (!last || !form?.[1] || !prompt || last.url.startsWith(consoleUrl) || last.location) break;
    const fields: Record<string, string> =
      prompt === 'login' ? { prompt, login: account, password: 'any' } : { prompt };
    hops.push(...(await jar.follow(new URL(form[1], last.url).href, { form: fields }, stop)));
  }
  return hops;
}
