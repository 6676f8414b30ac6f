import { createHmac, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { maskUrlText } from '../config/mask.js';
import { ConfigError, errorMessage, type Issue } from '../errors.js';
import type { Logger } from '../logger.js';
import { createScrubber, safeDecode } from './mask-url.js';
import { backoffMs, isRetryableStatus, retryAfterMs } from './retry-policy.js';
import { type Alert, type AlertDelivery, type Alerter, type AlertSeverity, SEVERITY_ORDER } from './types.js';

export interface WebhookAlerterOptions {
  /** http(s) URL to POST to. Userinfo (`user:pass@`) is sent as HTTP Basic authorization, never logged. */
  url: string;
  /** Shared secret for the `X-Bevara-Signature` HMAC; no signature headers without it. Never logged. */
  secret?: string;
  /** bevara's version, sent as `User-Agent: bevara/<version>`. */
  version: string;
  /** Requests per `send`, the first included. Default 5. */
  maxAttempts?: number;
  /** Limit for one request (connect, send, response headers), in milliseconds. Default 10 000. */
  timeoutMs?: number;
  /** Ceiling of the first backoff wait, in milliseconds; doubles per attempt (full jitter). Default 500. */
  retryBaseMs?: number;
  /** Largest backoff ceiling, in milliseconds. Default 30 000. */
  retryMaxMs?: number;
  /** Longest wait a `Retry-After` header can impose, in milliseconds. Default 60 000. */
  retryAfterMaxMs?: number;
  logger: Logger;
  now: () => Date;
  /** Stops waiting and retrying (graceful shutdown); the send then reports not delivered. */
  signal?: AbortSignal;
  /** Random source for the jitter, uniform in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/** The JSON body of every webhook request (`version` is the format's version, not bevara's). */
export interface WebhookPayload {
  source: 'bevara';
  version: 1;
  /** When the batch was first sent (ISO 8601); the same on every retry. */
  sentAt: string;
  /** The run of the first alert; a batch comes from one run. */
  runId: string;
  highestSeverity: AlertSeverity;
  alerts: Alert[];
}

type AttemptOutcome =
  | { ok: true; status: number }
  | { ok: false; retry: boolean; status?: number; error: string; waitMs?: number };

/**
 * Creates an alerter that POSTs each batch of alerts as one JSON request ({@link WebhookPayload}) with
 * `Content-Type: application/json`, `User-Agent: bevara/<version>` and an `Idempotency-Key` that stays the same
 * on every retry of one send. Network errors, timeouts, 408, 429 and 5xx are retried with exponential backoff and
 * full jitter (Retry-After honoured, capped); other statuses, redirects included, are final. `send` never throws.
 *
 * With a `secret`, each request carries `X-Bevara-Timestamp: <unix seconds>` and
 * `X-Bevara-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. A receiver verifies it so:
 * 1. Take the raw request body bytes as received (before any JSON parsing) and the timestamp header.
 * 2. Reject when the timestamp is more than 5 minutes from the receiver's clock (replays).
 * 3. Compute `hex(HMAC-SHA256(secret, timestamp + "." + rawBody))` and compare it with the header's value after
 *    `sha256=` in constant time (e.g. Node's `crypto.timingSafeEqual`); reject on mismatch.
 * 4. Deduplicate on `Idempotency-Key`: a retry after a lost answer delivers the same batch again.
 *
 * @throws ConfigError when an option is invalid (the message never contains the URL or the secret).
 */
export function createWebhookAlerter(options: WebhookAlerterOptions): Alerter {
  const maxAttempts = options.maxAttempts ?? 5;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retryBaseMs = options.retryBaseMs ?? 500;
  const retryMaxMs = options.retryMaxMs ?? 30_000;
  const retryAfterMaxMs = options.retryAfterMaxMs ?? 60_000;
  const random = options.random ?? Math.random;
  const { secret, now, signal } = options;

  const issues: Issue[] = [];
  let url: URL | undefined;
  try {
    url = new URL(options.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      issues.push(issue('url', 'must be http or https'));
  } catch {
    issues.push(issue('url', 'is not a valid URL'));
  }
  if (secret === '') issues.push(issue('secret', 'must not be empty when given'));
  if (options.version.trim() === '') issues.push(issue('version', 'must not be empty'));
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    issues.push(issue('maxAttempts', 'must be an integer >= 1'));
  for (const [name, value] of Object.entries({ timeoutMs, retryBaseMs, retryMaxMs, retryAfterMaxMs })) {
    if (!Number.isFinite(value) || value < 0) issues.push(issue(name, 'must be a number >= 0'));
  }
  if (issues.length > 0 || !url) throw new ConfigError('alerts.webhook', issues);

  const scrub = createScrubber(url, secret ? [secret] : []);
  const target = maskUrlText(url.href);
  const authorization =
    url.username !== '' || url.password !== ''
      ? `Basic ${Buffer.from(`${safeDecode(url.username)}:${safeDecode(url.password)}`).toString('base64')}`
      : undefined;
  const endpoint = new URL(url.href);
  endpoint.username = '';
  endpoint.password = '';
  endpoint.hash = '';
  const log = options.logger.child({ component: 'alerts', webhook: target });

  const attemptOnce = async (body: string, idempotencyKey: string): Promise<AttemptOutcome> => {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': `bevara/${options.version}`,
      'idempotency-key': idempotencyKey,
    };
    if (authorization) headers.authorization = authorization;
    if (secret) {
      const timestamp = String(Math.floor(now().getTime() / 1000));
      const digest = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
      headers['x-bevara-timestamp'] = timestamp;
      headers['x-bevara-signature'] = `sha256=${digest}`;
    }
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
      await response.body?.cancel().catch(() => undefined);
      const { status } = response;
      if (status >= 200 && status < 300) return { ok: true, status };
      const retry = isRetryableStatus(status);
      const waitMs = retry ? retryAfterMs(response.headers.get('retry-after'), now()) : undefined;
      const reason = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
      return { ok: false, retry, status, error: `HTTP ${status}${reason}`, waitMs };
    } catch (err: unknown) {
      if (signal?.aborted)
        return { ok: false, retry: false, error: 'aborted before an answer (shutting down)' };
      if (timeout.aborted) return { ok: false, retry: true, error: `no answer within ${timeoutMs} ms` };
      return { ok: false, retry: true, error: scrub(describeNetworkError(err)) };
    }
  };

  return {
    async send(alerts): Promise<AlertDelivery> {
      if (alerts.length === 0) return { delivered: true, attempts: 0, target };
      const idempotencyKey = randomUUID();
      const body = JSON.stringify(buildPayload(alerts, now()));
      const base = { target, idempotencyKey };
      const summary = { alerts: alerts.length, runId: alerts[0]?.runId, idempotencyKey };
      let attempts = 0;
      let last: AttemptOutcome | undefined;
      while (attempts < maxAttempts && !signal?.aborted) {
        attempts++;
        last = await attemptOnce(body, idempotencyKey);
        if (last.ok) {
          log.info({ ...summary, attempts, status: last.status }, 'alerts delivered');
          return { ...base, delivered: true, attempts, status: last.status };
        }
        if (!last.retry || attempts >= maxAttempts) break;
        const delayMs =
          last.waitMs !== undefined
            ? Math.min(last.waitMs, retryAfterMaxMs)
            : backoffMs(attempts, { baseMs: retryBaseMs, maxMs: retryMaxMs, random });
        log.warn(
          { ...summary, attempts, status: last.status, error: last.error, delayMs },
          'alert delivery retry',
        );
        try {
          await sleep(delayMs, undefined, signal ? { signal } : undefined);
        } catch {
          break;
        }
      }
      const error = last && !last.ok ? last.error : 'aborted before the first attempt (shutting down)';
      const status = last && !last.ok && last.status !== undefined ? { status: last.status } : {};
      log.error({ ...summary, attempts, ...status, error }, 'alerts not delivered');
      return { ...base, delivered: false, attempts, ...status, error };
    },
  };
}

/** The request body for a batch; `sentAt` is `at`, the runId that of the first alert. */
export function buildPayload(alerts: Alert[], at: Date): WebhookPayload {
  const rank = (severity: AlertSeverity) => SEVERITY_ORDER.indexOf(severity);
  const highestSeverity = alerts.reduce<AlertSeverity>(
    (top, alert) => (rank(alert.severity) < rank(top) ? alert.severity : top),
    'info',
  );
  return {
    source: 'bevara',
    version: 1,
    sentAt: at.toISOString(),
    runId: alerts[0]?.runId ?? '',
    highestSeverity,
    alerts,
  };
}

/** `fetch failed: connect ECONNREFUSED 127.0.0.1:9` — undici hides the reason in `cause`. */
function describeNetworkError(err: unknown): string {
  const message = errorMessage(err);
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause === undefined) return message;
  const parts = cause instanceof AggregateError ? cause.errors : [cause];
  const reasons = parts.map(
    (part) => errorMessage(part) || String((part as { code?: unknown } | null)?.code),
  );
  return `${message}: ${reasons.join('; ')}`;
}

function issue(path: string, message: string): Issue {
  return { path, message };
}
