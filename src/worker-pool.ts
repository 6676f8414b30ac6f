import { Worker } from 'node:worker_threads';
import { PreservationError, ValidationError } from './errors.js';

/** A message from a worker: progress (`bytes`), then one result or one error for the request `id`. */
export type WorkerReply<R> = { id: number; bytes?: number; result?: R; error?: SerializedError };

/** An error as it crosses a thread boundary: enough to rebuild our error classes on the other side. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  rule?: string;
  subject?: Record<string, string | undefined>;
  cause?: SerializedError;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof ValidationError)
    return { name: err.name, message: err.message, code: err.code, rule: err.rule, subject: err.subject };
  if (err instanceof Error)
    return {
      name: err.name,
      message: err.message,
      code: (err as { code?: string }).code,
      ...(err.cause !== undefined ? { cause: serializeError(err.cause) } : {}),
    };
  return { name: 'Error', message: String(err) };
}

export function deserializeError(e: SerializedError): Error {
  if (e.rule !== undefined) return new ValidationError(e.rule, e.message, e.subject ?? {});
  const error = new PreservationError(e.message, e.cause ? { cause: deserializeError(e.cause) } : undefined);
  Object.defineProperty(error, 'code', { value: e.code ?? 'E_WORKER' });
  return error;
}

export interface WorkerPool<Q, R> {
  readonly size: number;
  /**
   * Runs one request on the next free worker; `onBytes` receives its progress reports. Aborting `signal` asks
   * the worker to abort the request (it settles as the handler decides, usually with an AbortError).
   */
  run(request: Q, onBytes?: (n: number) => void, signal?: AbortSignal): Promise<R>;
  close(): Promise<void>;
}

/**
 * Up to `size` worker threads running `workerUrl`, started as requests need them, one request per worker at a time. The worker answers
 * `{ id, request }` messages with `WorkerReply` messages (see `serveRequests`).
 */
export function createWorkerPool<Q, R>(
  workerUrl: URL,
  workerData: unknown,
  size: number,
  limits: { maxOldGenerationSizeMb?: number } = {},
): WorkerPool<Q, R> {
  const idle: Worker[] = [];
  const waiting: ((worker: Worker) => void)[] = [];
  const resourceLimits = { maxYoungGenerationSizeMb: 8, ...limits };
  const max = Math.max(1, size);
  // Threads start when first needed: a run that refuses every record never pays for their isolates (tens of MB each).
  const all: Worker[] = [];
  let nextId = 0;
  const acquire = () =>
    new Promise<Worker>((resolve) => {
      if (idle.length > 0) return resolve(idle.pop() as Worker);
      if (all.length < max) {
        const worker = new Worker(workerUrl, { workerData, resourceLimits });
        all.push(worker);
        return resolve(worker);
      }
      waiting.push(resolve);
    });
  const release = (worker: Worker) => {
    const next = waiting.shift();
    if (next) next(worker);
    else idle.push(worker);
  };
  return {
    size: max,
    async run(request, onBytes, signal) {
      const worker = await acquire();
      const id = nextId++;
      const abort = () => worker.postMessage({ id, abort: true });
      signal?.addEventListener('abort', abort, { once: true });
      try {
        return await new Promise<R>((resolve, reject) => {
          const done = () => {
            worker.off('message', onMessage);
            worker.off('error', onError);
          };
          const onMessage = (reply: WorkerReply<R>) => {
            if (reply.id !== id) return;
            if (reply.bytes) onBytes?.(reply.bytes);
            if (reply.error) {
              done();
              reject(deserializeError(reply.error));
            } else if ('result' in reply && reply.result !== undefined) {
              done();
              resolve(reply.result);
            }
          };
          const onError = (err: Error) => {
            done();
            reject(err);
          };
          worker.on('message', onMessage);
          worker.on('error', onError);
          worker.postMessage({ id, request });
          if (signal?.aborted) abort();
        });
      } finally {
        signal?.removeEventListener('abort', abort);
        release(worker);
      }
    },
    async close() {
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}

const PROGRESS_EVERY_BYTES = 8 << 20;

/**
 * The worker side: answers each request with `handle`, reporting bytes done every 8 MiB; an `{ id, abort }`
 * message aborts the signal handed to that request's handler.
 */
export function serveRequests<Q, R>(
  port: import('node:worker_threads').MessagePort | null,
  handle: (request: Q, onBytes: (n: number) => void, signal: AbortSignal) => Promise<R>,
): void {
  const running = new Map<number, AbortController>();
  port?.on('message', async ({ id, request, abort }: { id: number; request?: Q; abort?: boolean }) => {
    if (abort) {
      running.get(id)?.abort();
      return;
    }
    const controller = new AbortController();
    running.set(id, controller);
    let unreported = 0;
    const onBytes = (n: number) => {
      unreported += n;
      if (unreported >= PROGRESS_EVERY_BYTES) {
        port.postMessage({ id, bytes: unreported } satisfies WorkerReply<R>);
        unreported = 0;
      }
    };
    try {
      const result = await handle(request as Q, onBytes, controller.signal);
      port.postMessage({ id, bytes: unreported, result } satisfies WorkerReply<R>);
    } catch (err) {
      port.postMessage({ id, error: serializeError(err) } satisfies WorkerReply<R>);
    } finally {
      running.delete(id);
    }
  });
}
