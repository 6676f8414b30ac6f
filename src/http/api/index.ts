import type { FastifyInstance } from 'fastify';
import type { ConsoleDeps } from '../deps.js';
import { overview } from '../services/overview.js';
import { registerAuditApi } from './audits.js';
import { registerJobApi, registerRunApi } from './jobs-runs.js';
import { openApiDocument } from './openapi.js';
import { registerPackageApi } from './packages.js';
import { registerQuarantineApi } from './quarantine.js';
import { registerUserApi } from './users.js';

/** Every route of the JSON API (see openapi.ts). */
export function registerApi(app: FastifyInstance, deps: ConsoleDeps): void {
  const document = openApiDocument();
  app.get('/api/openapi.json', { config: { access: 'read' } }, async () => document);
  app.get('/api/overview', { config: { access: 'read' } }, async () => overview(deps.ctx, deps.storage));
  registerJobApi(app, deps);
  registerRunApi(app, deps);
  registerPackageApi(app, deps);
  registerAuditApi(app, deps);
  registerQuarantineApi(app, deps);
  registerUserApi(app, deps);
}
