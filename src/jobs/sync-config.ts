/**
 * Brings the catalog's jobs in line with the config file: the file is versioned with the deployment and wins for
 * the jobs it declares; jobs added with `bevara jobs add` live only in the catalog.
 */
import type { Catalog } from '../catalog/types.js';
import type { JobRecord } from '../model/job.js';
import { NotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';

/** What a sync changed, by job name. */
export interface JobSyncResult {
  added: string[];
  updated: string[];
  removed: string[];
  /** CLI jobs the file now declares: they became config jobs. */
  adopted: string[];
}

/**
 * Makes the catalog hold exactly the config file's jobs (`fromConfig`, origin `config`) beside the CLI's:
 * - a declared job missing from the catalog is added, enabled unless the file says `enabled: false`;
 * - a declared job already in the catalog takes the file's definition, but **keeps the catalog's enabled flag**,
 *   so that `bevara jobs pause` survives restarts and re-reads of the file; only `enabled: false` in the file
 *   overrides it (the file then disables the job, whatever `jobs resume` said). Its createdAt is kept;
 *   updatedAt changes only when the definition or the flag does;
 * - a CLI job whose name the file now declares becomes a config job (logged, with its enabled flag kept);
 * - a config job the file no longer declares is removed (its record states stay, for the history);
 * - CLI jobs the file does not name are left alone.
 * Safe to call at the start of every command; a job removed meanwhile by another process is not an error.
 */
export async function syncConfigJobs(
  catalog: Catalog,
  fromConfig: JobRecord[],
  now: Date,
  logger: Logger,
): Promise<JobSyncResult> {
  const result: JobSyncResult = { added: [], updated: [], removed: [], adopted: [] };
  const existing = new Map((await catalog.listJobs()).map((j) => [j.name, j]));
  const declared = new Set(fromConfig.map((j) => j.name));

  for (const job of fromConfig) {
    const current = existing.get(job.name);
    if (!current) {
      await catalog.putJob({ ...job, origin: 'config', createdAt: now, updatedAt: now });
      result.added.push(job.name);
      logger.info({ job: job.name }, 'job declared in the config file added');
      continue;
    }
    const enabled = job.enabled === false ? false : current.enabled;
    const next: JobRecord = {
      ...job,
      origin: 'config',
      enabled,
      createdAt: current.createdAt,
      updatedAt: current.updatedAt,
    };
    const adopted = current.origin !== 'config';
    if (!adopted && enabled === current.enabled && definitionOf(next) === definitionOf(current)) continue;
    await catalog.putJob({ ...next, updatedAt: now });
    if (adopted) {
      result.adopted.push(job.name);
      logger.warn(
        { job: job.name },
        'job added with "bevara jobs add" is now declared in the config file: the file defines it from now on',
      );
    } else {
      result.updated.push(job.name);
      logger.info({ job: job.name }, 'job updated from the config file');
    }
  }

  for (const job of existing.values()) {
    if (job.origin !== 'config' || declared.has(job.name)) continue;
    try {
      await catalog.removeJob(job.name);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    result.removed.push(job.name);
    logger.info({ job: job.name }, 'job no longer declared in the config file removed');
  }
  return result;
}

/** The fields a definition is compared on, in a fixed order (the catalog's JSON does not keep key order). */
function definitionOf(job: JobRecord): string {
  return JSON.stringify([
    job.source.kind,
    job.source.path,
    job.profile,
    job.schedule?.cron ?? null,
    job.schedule?.timezone ?? null,
    job.afterSuccess.action,
    job.afterSuccess.action === 'move' ? job.afterSuccess.to : null,
    job.quarantine ?? null,
    job.limits?.maxRecords ?? null,
    job.limits?.maxBytes ?? null,
  ]);
}
