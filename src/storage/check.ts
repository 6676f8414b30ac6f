/**
 * `bevara storage check`: what each location supports (its driver's `check()`), held against what the copy policy
 * needs. A location the policy names must be reachable, accept the credentials, have its bucket and take writes;
 * with `objectLock` configured its bucket must have Object Lock; and packages must be safe from a racing overwrite:
 * conditional writes refuse it, or versioning keeps the first version. Locations outside the policy are checked
 * the same way, but what they lack is only a warning.
 */
import type { LocationConfig } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import { describeLocation, type Location } from './index.js';
import type { LocationFact, LocationFacts } from './types.js';

export type FactName = keyof LocationFacts;

/** Every fact, in the order they are shown. */
export const FACT_NAMES: readonly FactName[] = [
  'reachable',
  'credentials',
  'bucket',
  'write',
  'delete',
  'versioning',
  'objectLock',
  'conditionalWrites',
];

/** Something a location lacks. */
export interface CheckProblem {
  location: string;
  /** `error` when the copy policy needs the location (the check fails), `warning` otherwise. */
  severity: 'error' | 'warning';
  /** The fact that falls short. */
  fact: FactName;
  message: string;
}

/** One location: where it is, what it supports, what it lacks. */
export interface LocationCheck {
  location: string;
  driver: string;
  /** For people: a folder, or `s3://bucket/prefix at endpoint`. Never carries credentials. */
  where: string;
  /** The copy policy stores a copy here. */
  inPolicy: boolean;
  facts: LocationFacts;
  problems: CheckProblem[];
}

export interface StorageCheckReport {
  /** True when no location the policy needs lacks anything. */
  ok: boolean;
  /** Location names of the copy policy. */
  policy: string[];
  locations: LocationCheck[];
  errors: number;
  warnings: number;
}

export interface StorageCheckInput {
  /** The locations to check. */
  locations: Location[];
  /** Configuration of every location, by name. */
  configs: Record<string, LocationConfig>;
  /** Names of the locations the copy policy needs. */
  policy: string[];
}

/** Checks every location at once and weighs what it found against the policy. */
export async function checkStorage(input: StorageCheckInput): Promise<StorageCheckReport> {
  const locations = await Promise.all(
    input.locations.map(async ({ name, driver }): Promise<LocationCheck> => {
      const config = input.configs[name];
      const facts = await probe(driver);
      const inPolicy = input.policy.includes(name);
      const problems = findProblems(facts, config).map(
        ({ fact, message }): CheckProblem => ({
          location: name,
          severity: inPolicy ? 'error' : 'warning',
          fact,
          message,
        }),
      );
      return {
        location: name,
        driver: driver.name,
        where: describeLocation(config),
        inPolicy,
        facts,
        problems,
      };
    }),
  );
  const all = locations.flatMap((l) => l.problems);
  const errors = all.filter((p) => p.severity === 'error').length;
  return { ok: errors === 0, policy: input.policy, locations, errors, warnings: all.length - errors };
}

async function probe(driver: Location['driver']): Promise<LocationFacts> {
  if (!driver.check) return {};
  try {
    return await driver.check();
  } catch (err) {
    return { reachable: { status: 'unknown', detail: `the check failed: ${errorMessage(err)}` } };
  }
}

/** Facts every write needs, each depending on the one before: only the first missing one is reported. */
const PREREQUISITES: { fact: FactName; lacking: string; needed: string }[] = [
  { fact: 'reachable', lacking: 'the location is unreachable', needed: 'the location is reachable' },
  {
    fact: 'credentials',
    lacking: 'the credentials are not accepted',
    needed: 'the credentials are accepted',
  },
  { fact: 'bucket', lacking: 'the bucket does not exist', needed: 'the bucket exists' },
  { fact: 'write', lacking: 'a probe could not be written', needed: 'writes are accepted' },
];

const describe = (fact: LocationFact | undefined) =>
  fact ? `${fact.status}${fact.detail ? `: ${fact.detail}` : ''}` : 'not checked';

/** What the facts of one location lack for storing packages under its config. */
export function findProblems(
  facts: LocationFacts,
  config: LocationConfig | undefined,
): { fact: FactName; message: string }[] {
  for (const { fact, lacking, needed } of PREREQUISITES) {
    const found = facts[fact];
    // Credentials and buckets are S3 things: a driver that has none leaves them out.
    if (!found && (fact === 'credentials' || fact === 'bucket')) continue;
    if (found?.status === 'yes') continue;
    const message =
      found?.status === 'no'
        ? `${lacking}${found.detail ? `: ${found.detail}` : ''}`
        : `could not establish that ${needed}: ${found?.detail ?? 'the driver cannot check itself'}`;
    return [{ fact, message }];
  }
  const problems: { fact: FactName; message: string }[] = [];
  if (config?.driver === 's3' && config.objectLock && facts.objectLock?.status !== 'yes') {
    const lock = `${config.objectLock.mode} ${config.objectLock.retainDays} days`;
    problems.push({
      fact: 'objectLock',
      message:
        facts.objectLock?.status === 'no'
          ? `objectLock (${lock}) is configured but Object Lock is not enabled on bucket "${config.bucket}": every write with retention would be refused`
          : `objectLock (${lock}) is configured but it could not be established that bucket "${config.bucket}" has Object Lock (${describe(facts.objectLock)})`,
    });
  }
  const conditional = facts.conditionalWrites;
  const versioning = facts.versioning;
  if (conditional?.status !== 'yes' && versioning?.status !== 'yes') {
    const both = `conditional writes ${describe(conditional)}; versioning ${describe(versioning)}`;
    problems.push({
      fact: 'conditionalWrites',
      message:
        conditional?.status === 'no' && versioning?.status === 'no'
          ? `packages are not protected against overwrite: a racing write would replace one (${both})`
          : `could not establish that packages are protected against overwrite (${both})`,
    });
  }
  return problems;
}
