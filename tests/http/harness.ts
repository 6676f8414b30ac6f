/**
 * An in-process console on port 0 over a real data folder: a SQLite catalog (or PostgreSQL), an fs location,
 * fixtures ingested by the real engine. Nothing is mocked.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type AppContext, type GlobalOptions, openContext } from '../../src/cli/context.js';
import { createServer, type ServerOptions } from '../../src/http/server.js';

export interface Console {
  ctx: AppContext;
  app: FastifyInstance;
  /** `http://127.0.0.1:<port>` */
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `bevara-http-${prefix}-`));
}

export async function startConsole(
  options: { dataDir?: string; globals?: GlobalOptions; server?: Partial<ServerOptions> } = {},
): Promise<Console> {
  const dataDir = options.dataDir ?? tempDir('data');
  const ctx = await openContext({ dataDir, logLevel: 'silent', ...options.globals });
  const app = await createServer(ctx, options.server);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.addresses()[0];
  const port = typeof address === 'object' ? address.port : 0;
  return {
    ctx,
    app,
    url: `http://127.0.0.1:${port}`,
    dataDir,
    async close() {
      await app.close();
      await ctx.close();
    },
  };
}
