import { ValidationError } from '../errors.js';
import { createServer, parseListen } from '../http/server.js';
import type { AppContext } from '../app/context.js';
import { print, printJson } from './output.js';
import { stopOnSignals } from './shutdown.js';

/**
 * `bevara serve [--listen host:port]`: the web console and HTTP API until SIGINT/SIGTERM, then a clean stop
 * (requests in flight answered, job runs started from the console stopped at a safe point).
 */
export async function serveCommand(
  ctx: AppContext,
  options: { listen?: string; json?: boolean },
): Promise<number> {
  const listen = options.listen ?? ctx.config.http.listen;
  const { host, port } = parseListen(listen);
  if (!host || !Number.isInteger(port) || port < 0 || port > 65_535)
    throw new ValidationError('listen', `[serve] --listen "${listen}" is not host:port, e.g. 127.0.0.1:8080`);
  const app = await createServer(ctx);
  const stop = stopOnSignals(ctx.logger);
  try {
    await app.listen({ host, port });
    const address = app.addresses()[0];
    const url =
      typeof address === 'object'
        ? `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/`
        : listen;
    if (options.json) printJson({ url });
    else print(`bevara console on ${url} (API: ${url}api/openapi.json); stop with Ctrl-C`);
    await new Promise<void>((resolve) =>
      stop.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    return 0;
  } finally {
    stop.dispose();
    await app.close();
  }
}
