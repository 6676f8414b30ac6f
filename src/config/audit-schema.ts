import { z } from 'zod';
import { bytesSchema, durationSchema, rateSchema, shareSchema } from './units.js';

/**
 * How deeply a copy is checked:
 * - `quick`: the object exists and its size and the SHA-256 the location keeps beside it match the catalog; no
 *   content is read (cold storage where reading costs too much);
 * - `full`: every byte is read and the whole object's SHA-256 matches the digest recorded when it was read back
 *   at ingest, which proves every file inside is as it was then; when it does not match, the ZIP is read again
 *   file by file to name the damaged files;
 * - `deep`: as `full`, and every file's SHA-256 and every entry's CRC-32 are recomputed in the same read
 *   whatever the outcome (the package's inner digests proven on their own, at about twice the CPU).
 */
export const AUDIT_LEVELS = ['quick', 'full', 'deep'] as const;
export type AuditLevel = (typeof AUDIT_LEVELS)[number];

/** How often, how deeply and how fast the copies in one location are audited. */
const locationPolicy = z
  .object({
    /** Every copy here is verified at least once per this period, e.g. `90d`. */
    every: durationSchema.default(90 * 86_400_000),
    /** What an audit of a copy here proves (see `AUDIT_LEVELS`). */
    level: z.enum(AUDIT_LEVELS).default('full'),
    /** Read at most this fast from this location, e.g. `50MB/s` (an offsite link shared with others). */
    bandwidth: rateSchema.optional(),
    /** Replace a failed copy from a healthy one; `false`: report only. */
    repair: z.boolean().default(true),
  })
  .strict();

/** A random sample of every location's copies each run, on top of the plan, to catch what planning misses. */
const samplePolicy = z.object({ sample: shareSchema }).strict();

export type LocationAuditPolicy = z.infer<typeof locationPolicy>;

export const DEFAULT_LOCATION_POLICY: LocationAuditPolicy = locationPolicy.parse({});

export const auditSchema = z
  .object({
    /** Worker threads that verify copies in parallel; default: one per core. 1 verifies on the main thread. */
    workers: z.number().int().min(1).max(64).optional(),
    /** When the worker starts a planned audit (cron, five fields), e.g. `0 1 * * *`. */
    schedule: z.string().min(1).optional(),
    /** Time zone of the schedule (IANA name). */
    timezone: z.string().min(1).default('Europe/Stockholm'),
    /** Stop starting new copies after this long; the next run resumes with what was left, e.g. `5h`. */
    window: durationSchema.optional(),
    /** Read at most this many bytes per run, e.g. `2TB` (the planner stops there; the next run goes on). */
    budget: bytesSchema.optional(),
    /** Per location name; `any` adds a random sample. Locations without a policy: every 90d, full, repair. */
    policies: z.object({ any: samplePolicy.optional() }).catchall(locationPolicy).default({}),
    /** List every location for objects the catalog does not know at most this often. */
    orphans: z
      .object({ every: durationSchema.default(7 * 86_400_000) })
      .strict()
      .default({ every: 7 * 86_400_000 }),
    /** Where to tell operations about failures, repairs, damaged packages and coverage behind policy. */
    alerts: z
      .object({
        webhook: z.url({ protocol: /^https?$/ }),
        /** Shared secret for the `X-Bevara-Signature` HMAC header (better: env `BEVARA_AUDIT__ALERTS__SECRET`). */
        secret: z.string().min(1).optional(),
        /** Alert when a location's share of copies verified within policy falls below this. */
        coverageThreshold: shareSchema.default(1),
      })
      .strict()
      .optional(),
  })
  .strict()
  .default({ timezone: 'Europe/Stockholm', policies: {}, orphans: { every: 7 * 86_400_000 } });

export type AuditConfig = z.infer<typeof auditSchema>;

/** The policy of one location: its own entry or the default. */
export function locationPolicyFor(config: AuditConfig, location: string): LocationAuditPolicy {
  const entry =
    location === 'any' ? undefined : (config.policies[location] as LocationAuditPolicy | undefined);
  return entry ?? DEFAULT_LOCATION_POLICY;
}

/** The share of all copies sampled at random each run (policy `any: { sample }`), 0 when none. */
export function sampleShare(config: AuditConfig): number {
  return config.policies.any?.sample ?? 0;
}
