import { z } from 'zod';
import { auditSchema } from './audit-schema.js';

/**
 * The one configuration schema. Defaults live here; `load.ts` merges file < env < flags on top.
 * Paths that are relative are resolved against the working directory, except location and catalog paths,
 * which default to places inside `dataDir`.
 */
const fsLocation = z
  .object({
    driver: z.literal('fs'),
    /** Folder holding the objects. Default: `<dataDir>/store/<location name>`. */
    root: z.string().min(1).optional(),
  })
  .strict();

/** An S3-compatible bucket: Ceph RGW, MinIO, AWS S3. */
const s3Location = z
  .object({
    driver: z.literal('s3'),
    /** Custom endpoint, e.g. `https://s3.kommun.example`; omit for AWS. */
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    bucket: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        'an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)',
      ),
    region: z.string().min(1).default('us-east-1'),
    /** Path-style URLs (`endpoint/bucket/key`). Default: on when an endpoint is given, off for AWS. */
    forcePathStyle: z.boolean().optional(),
    /** Everything this location stores goes under this prefix inside the bucket, e.g. `bevara/`. */
    prefix: z
      .string()
      .regex(/^[^/\\].*$/, 'a relative prefix')
      .optional(),
    /** Explicit keys (better: env `BEVARA_LOCATIONS__<NAME>__CREDENTIALS__SECRET_ACCESS_KEY`). Without them the
     * SDK's standard chain applies: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, instance roles. */
    credentials: z
      .object({
        accessKeyId: z.string().min(1),
        secretAccessKey: z.string().min(1),
        sessionToken: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** Retention on every object written; the bucket must have Object Lock enabled. */
    objectLock: z
      .object({
        mode: z.enum(['GOVERNANCE', 'COMPLIANCE']),
        retainDays: z.number().int().min(1).max(36_500),
        legalHold: z.boolean().default(false),
      })
      .strict()
      .optional(),
    /** Packages up to this size go in one PUT with Content-MD5; larger ones as multipart uploads of parts this size. */
    partSizeMiB: z.number().int().min(5).max(5120).default(16),
    /** Parts uploaded at once per package; memory is about partSizeMiB × (uploadConcurrency + 1) per upload. */
    uploadConcurrency: z.number().int().min(1).max(64).default(4),
    /** A request unanswered (or a connection idle) this long fails and is retried. */
    requestTimeoutSeconds: z.number().int().min(1).max(3600).default(120),
    /** Attempts per request, the first included; retries back off exponentially with jitter. */
    maxAttempts: z.number().int().min(1).max(20).default(5),
  })
  .strict();

export const locationSchema = z.discriminatedUnion('driver', [fsLocation, s3Location]);

export const configSchema = z
  .object({
    /** Where all embedded state lives: the filesystem store, the SQLite catalog, reports. */
    dataDir: z.string().min(1).default('./bevara-data'),
    /** Name of the package profile in `profiles/` used when a command does not name one. */
    profile: z.string().min(1).default('eark-aip'),
    /** Extra folder searched for profiles before the built-in `profiles/`. */
    profilesDir: z.string().min(1).optional(),
    log: z
      .object({
        level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
        /** `auto`: pretty on a terminal, JSON otherwise. */
        format: z.enum(['auto', 'json', 'pretty']).default('auto'),
      })
      .strict()
      .default({ level: 'info', format: 'auto' }),
    /** Named storage locations. The profile's copy policy names which of them hold a copy of each package. */
    locations: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case name'), locationSchema).default({
      local: { driver: 'fs' },
    }),
    catalog: z
      .object({
        driver: z.literal('sqlite').default('sqlite'),
        /** Default: `<dataDir>/catalog.sqlite`. */
        path: z.string().min(1).optional(),
      })
      .strict()
      .default({ driver: 'sqlite' }),
    ingest: z
      .object({
        /** Longest path a file may have inside its record, in characters; keeps restores portable. */
        maxPathLength: z.number().int().min(16).max(4096).default(255),
        /** Worker threads that package records in parallel; default: one per core. 1 packages on the main thread. */
        workers: z.number().int().min(1).max(64).optional(),
        /**
         * At the start of a run, uploads left incomplete by an interrupted process (multipart parts, temp files)
         * are removed once older than this. Keep it longer than the longest upload of another running process.
         */
        incompleteUploadsMaxAgeMinutes: z.number().int().min(0).default(1440),
      })
      .strict()
      .default({ maxPathLength: 255, incompleteUploadsMaxAgeMinutes: 1440 }),
    audit: auditSchema,
    /** Language of the labels in reports: Swedish or English. */
    language: z.enum(['sv', 'en']).default('sv'),
    /**
     * Who keeps the archive, for package headers: the submitting agent, and the archival creator (arkivbildare)
     * unless `archivalCreator` names another; the FGS profile requires them.
     */
    organisation: z
      .object({
        name: z.string().min(1),
        /** Organisation number or other identification code, e.g. "212000-0000". */
        identificationCode: z.string().min(1).optional(),
        /** Postal address (BagIt Organization-Address). */
        address: z.string().min(1).optional(),
        archivalCreator: z
          .object({ name: z.string().min(1), identificationCode: z.string().min(1).optional() })
          .strict()
          .optional(),
        /** Reference of the submission agreement (leveransöverenskommelse) packages are made under. */
        submissionAgreement: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** Copy policy override: location names that must each hold a verified copy. Default: the profile's. */
    copies: z.array(z.string()).min(1).optional(),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type LocationConfig = z.infer<typeof locationSchema>;

/** Keys whose values never reach logs, reports or `bevara config`. */
export const SECRET_KEY = /secret|password|passphrase|token|credential|private/i;
