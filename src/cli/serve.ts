import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../errors.js';
import { createServer, parseListen, type ServerOptions } from '../http/server.js';
import type { AppContext } from '../app/context.js';
import { print, printJson } from './output.js';
import { stopOnSignals } from './shutdown.js';

/**
 * The console listening on `listen` (`host:port`); refused with a `ValidationError` when that is no address.
 * Returns the server and the URL it answers on. Shared by `bevara serve` and `bevara worker --http`.
 */
export async function listenConsole(
  ctx: AppContext,
  listen: string,
  overrides: Partial<ServerOptions> = {},
): Promise<{ app: FastifyInstance; url: string }> {
  const { host, port } = parseListen(listen);
  if (!host || !Number.isInteger(port) || port < 0 || port > 65_535)
    throw new ValidationError('listen', `[serve] "${listen}" is not host:port, e.g. 127.0.0.1:8080`);
  const app = await createServer(ctx, overrides);
  try {
    await app.listen({ host, port });
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.addresses()[0];
  const url =
    typeof address === 'object'
      ? `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/`
      : listen;
  return { app, url };
}

/** Tells where the console answers: `{ url }` with `--json`, else a line for people. */
export function printConsoleUrl(url: string, json: boolean | undefined): void {
  if (json) printJson({ url });
  else print(`bevara console on ${url} (API: ${url}api/openapi.json); stop with Ctrl-C`);
}

/**
 * `bevara serve [--listen host:port]`: the web console and HTTP API until SIGINT/SIGTERM, then a clean stop
 * (requests in flight answered, job runs started from the console stopped at a safe point).
 */
export async function serveCommand(
  ctx: AppContext,
  options: { listen?: string; json?: boolean },
): Promise<number> {
  const stop = stopOnSignals(ctx.logger);
  try {
    const { app, url } = await listenConsole(ctx, options.listen ?? ctx.config.http.listen);
    try {
      printConsoleUrl(url, options.json);
      await new Promise<void>((resolve) =>
        stop.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      return 0;
    } finally {
      await app.close();
    }
  } finally {
    stop.dispose();
  }
}
