/** `/api/packages`: search, one package, and verified downloads (restricted records need the archivist role). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../../errors.js';
import { who } from '../auth/guard.js';
import { can } from '../auth/roles.js';
import type { ConsoleDeps } from '../deps.js';
import { HttpProblem } from '../problem.js';
import {
  contentDisposition,
  type Download,
  fileDownload,
  type PackageDownloadFormat,
  packageDownload,
} from '../services/downloads.js';
import {
  encodeCursor,
  isRestricted,
  packageDetail,
  parseSearch,
  type SearchParams,
} from '../services/packages.js';

type ById = { Params: { id: string } };

const DOWNLOAD_FORMATS: PackageDownloadFormat[] = ['dip', 'zip', 'aip'];
const isDownloadFormat = (format: string): format is PackageDownloadFormat =>
  (DOWNLOAD_FORMATS as string[]).includes(format);

/** The package, once the account may download it: restricted records need the `restricted` permission. */
async function downloadable(deps: ConsoleDeps, request: FastifyRequest<ById>) {
  const { user } = who(request);
  const pkg = await deps.ctx.catalog.getPackage(request.params.id);
  if (!pkg) throw new NotFoundError(`[packages] package ${request.params.id} is not in the catalog`);
  if (isRestricted(pkg) && !can(user.role, 'restricted')) {
    request.log.warn({ user: user.name, packageId: pkg.id }, 'restricted download refused');
    throw new HttpProblem(
      403,
      `package ${pkg.id} is restricted (${pkg.metadata.accessRestriction}); downloads need the archivist role`,
      'restricted-download',
    );
  }
  return { pkg, user };
}

function send(reply: FastifyReply, download: Download) {
  if (download.size !== undefined) reply.header('content-length', String(download.size));
  return reply
    .type(download.type)
    .header('content-disposition', contentDisposition(download.name))
    .header('cache-control', 'no-store')
    .header('x-bevara-location', download.location)
    .send(download.body);
}

export function registerPackageApi(app: FastifyInstance, deps: ConsoleDeps): void {
  app.get<{ Querystring: SearchParams }>('/api/packages', { config: { access: 'read' } }, async (request) => {
    const page = await deps.ctx.catalog.searchPackages(parseSearch(request.query));
    return { packages: page.packages, ...(page.next ? { next: encodeCursor(page.next) } : {}) };
  });
  app.get<ById>('/api/packages/:id', { config: { access: 'read' } }, async (request) =>
    packageDetail(deps.ctx, request.params.id),
  );
  app.get<ById & { Querystring: { format?: string } }>(
    '/api/packages/:id/download',
    { config: { access: 'download' } },
    async (request, reply) => {
      const format = request.query.format ?? 'dip';
      if (!isDownloadFormat(format))
        throw new HttpProblem(
          422,
          `format "${format}" is not one of ${DOWNLOAD_FORMATS.join(', ')}`,
          'download-format',
        );
      const { pkg, user } = await downloadable(deps, request);
      return send(reply, await packageDownload(deps.ctx, pkg, user.name, format));
    },
  );
  app.get<ById & { Querystring: { path?: string } }>(
    '/api/packages/:id/file',
    { config: { access: 'download' } },
    async (request, reply) => {
      const { pkg, user } = await downloadable(deps, request);
      const path = request.query.path ?? '';
      const file = (await deps.ctx.catalog.listFiles(pkg.id)).find((f) => f.path === path);
      if (!file) throw new NotFoundError(`[packages] package ${pkg.id} has no file "${path}"`);
      return send(reply, await fileDownload(deps.ctx, pkg, file, user.name));
    },
  );
}
