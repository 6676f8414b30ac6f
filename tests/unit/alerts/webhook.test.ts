import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/alerts/types.js';
import { createWebhookAlerter, type WebhookAlerterOptions } from '../../../src/alerts/webhook.js';
import { ConfigError } from '../../../src/errors.js';

/** One request as the receiver saw it. */
interface Seen {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** performance.now() when the request arrived. */
  at: number;
}

/** What the receiver does with the n-th request: answer with a status (and headers), or never answer. */
type Reply = { status: number; headers?: Record<string, string> } | 'hang';

interface Receiver {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

const open: Receiver[] = [];

/** A real HTTP server on a free loopback port; replies in order, the last one repeating. */
async function startReceiver(replies: Reply[], path = '/hook'): Promise<Receiver> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: now(),
      });
      const reply = replies[Math.min(seen.length, replies.length) - 1] ?? { status: 200 };
      if (reply === 'hang') return;
      res.writeHead(reply.status, reply.headers);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}${path}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  open.push(receiver);
  return receiver;
}

const now = () => performance.now();
const CLOCK = new Date('2025-03-14T09:26:53.589Z');

function captureLogs() {
  const lines: string[] = [];
  return { lines, logger: pino({ level: 'debug' }, { write: (line: string) => lines.push(line) }) };
}

function alerter(url: string, extra: Partial<WebhookAlerterOptions> = {}) {
  const logs = captureLogs();
  const instance = createWebhookAlerter({
    url,
    version: '9.9.9',
    logger: logs.logger,
    now: () => CLOCK,
    retryBaseMs: 5,
    ...extra,
  });
  return { alerter: instance, logs: logs.lines };
}

const ALERTS: Alert[] = [
  {
    kind: 'repair',
    severity: 'warning',
    runId: 'audit-1',
    title: '1 copy was repaired',
    details: { count: 1, copies: [{ packageId: 'p1', location: 'b', from: 'a' }] },
  },
  {
    kind: 'damaged',
    severity: 'critical',
    runId: 'audit-1',
    title: '1 package has no healthy copy left: p2',
    details: { count: 1, packages: [{ packageId: 'p2', failures: [] }] },
  },
];

/** The documented recipe, written out independently of the implementation. */
function verifies(secret: string, seen: Seen): boolean {
  const timestamp = String(seen.headers['x-bevara-timestamp']);
  const header = String(seen.headers['x-bevara-signature']);
  if (!header.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.${seen.body}`).digest();
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

describe('createWebhookAlerter', () => {
  it('POSTs one batch with the JSON body and headers', async () => {
    const receiver = await startReceiver([{ status: 204 }]);
    const { alerter: webhook } = alerter(receiver.url);
    const delivery = await webhook.send(ALERTS);

    expect(delivery).toMatchObject({ delivered: true, attempts: 1, status: 204, target: receiver.url });
    expect(receiver.seen).toHaveLength(1);
    const [request] = receiver.seen;
    expect(request?.url).toBe('/hook');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      source: 'bevara',
      version: 1,
      sentAt: CLOCK.toISOString(),
      runId: 'audit-1',
      highestSeverity: 'critical',
      alerts: ALERTS,
    });
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['user-agent']).toBe('bevara/9.9.9');
    expect(request?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(request?.headers['idempotency-key']).toBe(delivery.idempotencyKey);
    expect(request?.headers['x-bevara-signature']).toBeUndefined();
    expect(request?.headers['x-bevara-timestamp']).toBeUndefined();
  });

  it('signs "<timestamp>.<body>" so the documented recipe verifies it, and only with the right secret', async () => {
    const receiver = await startReceiver([{ status: 200 }]);
    const { alerter: webhook } = alerter(receiver.url, { secret: 'hook-secret-1' });
    expect((await webhook.send(ALERTS)).delivered).toBe(true);

    const request = receiver.seen[0] as Seen;
    expect(request.headers['x-bevara-timestamp']).toBe(String(Math.floor(CLOCK.getTime() / 1000)));
    expect(request.headers['x-bevara-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifies('hook-secret-1', request)).toBe(true);
    expect(verifies('another-secret', request)).toBe(false);
    expect(verifies('hook-secret-1', { ...request, body: request.body.replace('audit-1', 'audit-2') })).toBe(
      false,
    );
    expect(
      verifies('hook-secret-1', { ...request, headers: { ...request.headers, 'x-bevara-timestamp': '1' } }),
    ).toBe(false);
  });

  it('retries 503 twice and delivers on attempt 3 with the same Idempotency-Key and body', async () => {
    const receiver = await startReceiver([{ status: 503 }, { status: 503 }, { status: 200 }]);
    const { alerter: webhook, logs } = alerter(receiver.url, { secret: 's3cr3t-value' });
    const delivery = await webhook.send(ALERTS);

    expect(delivery).toMatchObject({ delivered: true, attempts: 3, status: 200 });
    expect(receiver.seen).toHaveLength(3);
    const keys = new Set(receiver.seen.map((s) => s.headers['idempotency-key']));
    expect(keys).toEqual(new Set([delivery.idempotencyKey]));
    expect(new Set(receiver.seen.map((s) => s.body)).size).toBe(1);
    for (const request of receiver.seen) expect(verifies('s3cr3t-value', request)).toBe(true);
    expect(logs.filter((l) => l.includes('alert delivery retry'))).toHaveLength(2);
  });

  it('honours Retry-After seconds on 429', async () => {
    const receiver = await startReceiver([{ status: 429, headers: { 'retry-after': '1' } }, { status: 200 }]);
    const { alerter: webhook } = alerter(receiver.url, { retryBaseMs: 1 });
    const delivery = await webhook.send(ALERTS);

    expect(delivery).toMatchObject({ delivered: true, attempts: 2 });
    const [first, second] = receiver.seen as [Seen, Seen];
    expect(second.at - first.at).toBeGreaterThanOrEqual(950);
    expect(second.at - first.at).toBeLessThan(3000);
  });

  it('caps a long Retry-After at retryAfterMaxMs', async () => {
    const receiver = await startReceiver([
      { status: 429, headers: { 'retry-after': '3600' } },
      { status: 200 },
    ]);
    const { alerter: webhook } = alerter(receiver.url, { retryAfterMaxMs: 150 });
    const started = now();
    const delivery = await webhook.send(ALERTS);

    expect(delivery).toMatchObject({ delivered: true, attempts: 2 });
    const [first, second] = receiver.seen as [Seen, Seen];
    expect(second.at - first.at).toBeGreaterThanOrEqual(140);
    expect(now() - started).toBeLessThan(2000);
  }, 5000);

  it('does not retry 400, nor follow a redirect', async () => {
    const bad = await startReceiver([{ status: 400 }]);
    const bounced = await startReceiver([{ status: 302, headers: { location: bad.url } }]);

    const rejected = await alerter(bad.url).alerter.send(ALERTS);
    expect(rejected).toMatchObject({ delivered: false, attempts: 1, status: 400, error: 'HTTP 400' });
    expect(bad.seen).toHaveLength(1);

    const redirected = await alerter(bounced.url).alerter.send(ALERTS);
    expect(redirected).toMatchObject({ delivered: false, attempts: 1, status: 302 });
    expect(redirected.error).toContain('redirects are not followed');
    expect(bounced.seen).toHaveLength(1);
    expect(bad.seen).toHaveLength(1);
  });

  it('sends URL userinfo as Basic authorization and keeps the query, but masks both in results and logs', async () => {
    const receiver = await startReceiver([{ status: 200 }]);
    const url = receiver.url.replace('http://', 'http://ops:pa%24%24word@');
    const { alerter: webhook, logs } = alerter(`${url}?token=query-token-123`);
    const delivery = await webhook.send(ALERTS);

    expect(delivery.delivered).toBe(true);
    expect(receiver.seen[0]?.url).toBe('/hook?token=query-token-123');
    expect(receiver.seen[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('ops:pa$$word').toString('base64')}`,
    );
    expect(delivery.target).toBe(`${receiver.url.replace('http://', 'http://ops:***@')}?token=***`);
    const text = JSON.stringify(delivery) + logs.join('');
    for (const leak of ['query-token-123', 'pa%24%24word', 'pa$$word']) expect(text).not.toContain(leak);
  });

  it('gives up after maxAttempts when the server is down, without leaking secret or token', async () => {
    const gone = await startReceiver([{ status: 200 }]);
    await gone.close();
    const url = `${gone.url.replace('http://', 'http://user:hunter2-pw@')}?token=tok-abcdef123`;
    const { alerter: webhook, logs } = alerter(url, { secret: 'signing-secret-xyz', maxAttempts: 3 });
    const delivery = await webhook.send(ALERTS);

    expect(delivery).toMatchObject({ delivered: false, attempts: 3 });
    expect(delivery.status).toBeUndefined();
    expect(delivery.error).toMatch(/ECONNREFUSED/);
    expect(logs.filter((l) => l.includes('alert delivery retry'))).toHaveLength(2);
    expect(logs.filter((l) => l.includes('alerts not delivered'))).toHaveLength(1);
    const text = JSON.stringify(delivery) + logs.join('');
    for (const leak of ['signing-secret-xyz', 'tok-abcdef123', 'hunter2-pw']) {
      expect(text).not.toContain(leak);
    }
    expect(delivery.target).toMatch(/^http:\/\/user:\*\*\*@127\.0\.0\.1:\d+\/hook\?token=\*\*\*$/);
  });

  it('times out a server that never answers, retries, then gives up within a bounded time', async () => {
    const receiver = await startReceiver(['hang']);
    const { alerter: webhook } = alerter(receiver.url, { timeoutMs: 200, maxAttempts: 3, retryBaseMs: 10 });
    const started = now();
    const delivery = await webhook.send(ALERTS);
    const elapsed = now() - started;

    expect(delivery).toMatchObject({ delivered: false, attempts: 3, error: 'no answer within 200 ms' });
    expect(receiver.seen).toHaveLength(3);
    expect(elapsed).toBeGreaterThanOrEqual(3 * 190);
    expect(elapsed).toBeLessThan(3000);
  }, 5000);

  it('stops waiting when its signal aborts', async () => {
    const receiver = await startReceiver([{ status: 503, headers: { 'retry-after': '30' } }]);
    const controller = new AbortController();
    const { alerter: webhook } = alerter(receiver.url, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const started = now();
    const delivery = await webhook.send(ALERTS);

    expect(delivery).toMatchObject({ delivered: false, attempts: 1, status: 503 });
    expect(now() - started).toBeLessThan(2000);
  }, 5000);

  it('sends nothing for an empty batch', async () => {
    const receiver = await startReceiver([{ status: 200 }]);
    const delivery = await alerter(receiver.url).alerter.send([]);
    expect(delivery).toMatchObject({ delivered: true, attempts: 0 });
    expect(receiver.seen).toHaveLength(0);
  });

  it('rejects bad options with a ConfigError that lists every issue and does not echo the URL', () => {
    const failure = (options: Partial<WebhookAlerterOptions>): ConfigError => {
      try {
        alerter('https://x.example/hook', options);
      } catch (err) {
        if (err instanceof ConfigError) return err;
        throw err;
      }
      throw new Error('expected a ConfigError');
    };
    const scheme = failure({ url: 'ftp://u:pw-in-url@x.example/?token=abc123', maxAttempts: 0 });
    expect(scheme.issues.map((i) => i.path)).toEqual(['url', 'maxAttempts']);
    expect(scheme.message).not.toMatch(/pw-in-url|abc123/);
    const garbage = failure({ url: 'not a url ?token=abc123', secret: '', timeoutMs: -1 });
    expect(garbage.issues.map((i) => i.path)).toEqual(['url', 'secret', 'timeoutMs']);
    expect(garbage.message).toContain('url: is not a valid URL');
    expect(garbage.message).not.toContain('abc123');
  });
});
