import { ValidationError } from '../errors.js';
import { checkStorage, FACT_NAMES, type FactName, type LocationCheck } from '../storage/check.js';
import type { AppContext } from '../app/context.js';
import { print, printJson, table } from './output.js';

const FACT_LABELS: Record<FactName, string> = {
  reachable: 'reachable',
  credentials: 'credentials',
  bucket: 'bucket exists',
  write: 'write probe',
  delete: 'delete probe',
  versioning: 'versioning',
  objectLock: 'object lock',
  conditionalWrites: 'conditional writes',
};

/**
 * `bevara storage check`: what each configured location (or `--location`) supports, held against the copy policy.
 * Exit 0 when no location the policy needs lacks anything, 1 otherwise; what other locations lack only warns.
 */
export async function storageCheckCommand(
  ctx: AppContext,
  options: { location?: string; json?: boolean },
): Promise<number> {
  if (options.location && !ctx.locations.has(options.location)) {
    throw new ValidationError(
      'location',
      `[storage check] location "${options.location}" is not configured (configured: ${[...ctx.locations.keys()].join(', ')})`,
    );
  }
  const policy = ctx.copyPolicy(ctx.profile()).map((l) => l.name);
  const locations = [...ctx.locations.values()].filter(
    (l) => !options.location || l.name === options.location,
  );
  const report = await checkStorage({ locations, configs: ctx.config.locations, policy });
  if (options.json) {
    printJson(report);
    return report.ok ? 0 : 1;
  }
  for (const location of report.locations) printLocation(location);
  const problems = report.locations.flatMap((l) => l.problems);
  if (problems.length > 0) {
    print('Problems:');
    for (const p of problems) print(`  ${p.severity.toUpperCase()} ${p.location}: ${p.message}`);
    print();
  }
  const counts = `${report.locations.length} location(s) checked, ${report.errors} error(s), ${report.warnings} warning(s)`;
  print(
    report.ok
      ? `Storage check passed: ${counts}`
      : `Storage check FAILED: ${counts}; the copy policy (${policy.join(', ')}) needs what is missing`,
  );
  return report.ok ? 0 : 1;
}

function printLocation(location: LocationCheck): void {
  print(
    `${location.location} (${location.driver}) ${location.where}${location.inPolicy ? ' [copy policy]' : ' [not in the copy policy]'}`,
  );
  const rows = FACT_NAMES.flatMap((name) => {
    const fact = location.facts[name];
    return fact ? [[FACT_LABELS[name], fact.status, fact.detail ?? '']] : [];
  });
  print(
    table(['FACT', 'STATUS', 'DETAIL'], rows)
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n'),
  );
  print();
}
