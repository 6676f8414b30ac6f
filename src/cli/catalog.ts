import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../app/context.js';
import { syncJobs } from '../jobs/job-actions.js';
import { beginRebuild, endRebuild, renewRebuild } from '../rebuild/guard.js';
import { rebuildCatalog } from '../rebuild/rebuild.js';
import { openStaging } from '../rebuild/staging.js';
import { print, printJson } from './output.js';

/** The copy policy's location names for a profile, or undefined when the profile cannot be loaded here. */
export function policyNames(ctx: AppContext): (profile: string) => string[] | undefined {
  return (profile) => {
    try {
      return ctx.copyPolicy(ctx.profile(profile)).map((l) => l.name);
    } catch {
      return undefined;
    }
  };
}

/**
 * `bevara catalog rebuild`: the catalog made again from the locations (src/rebuild/). Exit 0 when every package
 * found is catalogued, 1 when some could not be read (each listed), 2 when the catalog is not one to rebuild into.
 */
export async function catalogRebuildCommand(
  ctx: AppContext,
  options: { concurrency?: number; json?: boolean; signal?: AbortSignal },
): Promise<number> {
  const stagingPath = path.join(ctx.config.dataDir, 'rebuild-staging.sqlite');
  const { resumed } = await beginRebuild(ctx.catalog, ctx.now());
  // A staging file without a rebuild begun in this catalog belongs to another catalog: start afresh.
  if (!resumed) for (const suffix of ['', '-wal', '-shm']) fs.rmSync(stagingPath + suffix, { force: true });
  const staging = openStaging(stagingPath);
  let finished = false;
  const started = Date.now();
  try {
    const result = await rebuildCatalog({
      catalog: ctx.catalog,
      locations: ctx.locations,
      staging,
      logger: ctx.logger,
      now: ctx.now,
      policyFor: policyNames(ctx),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      checkpoint: async () => {
        options.signal?.throwIfAborted();
        await renewRebuild(ctx.catalog, ctx.now());
      },
    });
    const jobs = await syncJobs(ctx);
    finished = true;
    const seconds = (Date.now() - started) / 1000;
    const summary = { ...result, resumed, jobs: jobs.map((j) => j.name), seconds };
    if (options.json) printJson(summary);
    else {
      print(
        `${resumed ? 'Continued an earlier rebuild; c' : 'C'}atalogued ${result.packages} package(s) from ${result.objects} listed object(s) ` +
          `in ${seconds.toFixed(1)} s; ${jobs.length} job(s) from the configuration.`,
      );
      for (const f of result.failed) print(`  NOT CATALOGUED  ${f.id}: ${f.problem}`);
      for (const d of result.disagreements) print(`  COPIES DIFFER   ${d} (the next audit judges)`);
      for (const id of result.metadataMismatches)
        print(`  METADATA        ${id}: derived metadata does not give its dc.xml back`);
      print('Next: bevara audit --all');
    }
    return result.failed.length === 0 && result.metadataMismatches.length === 0 ? 0 : 1;
  } finally {
    staging.close();
    if (finished) for (const suffix of ['', '-wal', '-shm']) fs.rmSync(stagingPath + suffix, { force: true });
    await endRebuild(ctx.catalog, ctx.now(), finished);
  }
}
