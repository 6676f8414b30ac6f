import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * An HTTP proxy in front of a real S3 engine that can misbehave on demand: answer 503, stall, cut request bodies,
 * or be down altogether (connection refused). Requests are forwarded byte for byte with their Host header, so
 * SigV4 signatures made for the proxy's address stay valid at the engine.
 */
export interface FaultProxy {
  readonly endpoint: string;
  /** Every request seen, as `METHOD path?query`. */
  readonly seen: string[];
  /** The next `count` requests matching `filter` are answered with `status` (503 ServiceUnavailable by default). */
  failNext(count: number, status?: number, filter?: (method: string, url: string) => boolean): void;
  /** Requests matching `filter` get no answer at all. */
  stall(filter: (method: string, url: string) => boolean): void;
  /** Stop listening and drop every open connection: the endpoint is down. */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  let failures: { count: number; status: number; filter: (m: string, u: string) => boolean } | undefined;
  let stallFilter: ((m: string, u: string) => boolean) | undefined;

  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    seen.push(`${method} ${url}`);
    if (stallFilter?.(method, url)) {
      req.resume();
      return;
    }
    if (failures && failures.count > 0 && failures.filter(method, url)) {
      failures.count--;
      req.resume();
      req.on('end', () => {
        res.writeHead(failures?.status ?? 503, { 'content-type': 'application/xml', connection: 'close' });
        res.end(
          '<?xml version="1.0"?><Error><Code>ServiceUnavailable</Code><Message>injected</Message></Error>',
        );
      });
      return;
    }
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method, path: url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const down = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    failNext(count, status = 503, filter = () => true) {
      failures = { count, status, filter };
    },
    stall(filter) {
      stallFilter = filter;
    },
    down,
    up: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
    close: () => (server.listening ? down() : Promise.resolve()),
  };
}
