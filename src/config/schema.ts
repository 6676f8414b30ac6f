import { z } from 'zod';
import { REFERENCE_CODE } from '../model/package.js';
import { auditSchema } from './audit-schema.js';
import { oidcSchema } from './oidc-schema.js';
import { retentionSchema } from './retention-schema.js';
import { bytesSchema } from './units.js';

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

/**
 * One ingest job declared in the file, keyed by its name under `jobs:`. The same model as `bevara jobs add`; the
 * values are checked further (cron, time zone, profile, paths) by `src/jobs/job-spec.ts`.
 */
const jobConfig = z
  .object({
    /** `folder:/exports/w3d3` (kinds: folder, bagit, eark-sip) or `{ kind, path }`. Relative paths: to the working directory. */
    source: z.union([
      z.string().min(1),
      z.object({ kind: z.enum(['folder', 'bagit', 'eark-sip']), path: z.string().min(1) }).strict(),
    ]),
    /** Package profile. Default: the config's `profile`. */
    profile: z.string().min(1).optional(),
    /** Cron expression, five or six fields (`0 2 * * *`: 02:00 every day). None: runs only on `bevara jobs run`. */
    cron: z.string().min(1).optional(),
    /** IANA time zone of `cron`. Default: Europe/Stockholm. */
    timezone: z.string().min(1).optional(),
    /** `leave` (default), `mark`, or `move:/folder`: what happens to a record in the source once archived. */
    afterSuccess: z.string().min(1).optional(),
    /** Records that fail validation are moved into this folder. Default: left in place. */
    quarantine: z.string().min(1).optional(),
    /** `false` keeps the job from running on its schedule (see `syncConfigJobs` for how it meets `jobs pause`). */
    enabled: z.boolean().optional(),
    /** At most this many records, or bytes of records, per run; the rest waits for the next run. */
    limits: z
      .object({ maxRecords: z.number().int().positive().optional(), maxBytes: bytesSchema.optional() })
      .strict()
      .optional(),
  })
  .strict();

/** A job declared in the config file, as the schema gives it. */
export type JobConfig = z.infer<typeof jobConfig>;

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
    /**
     * SQLite (one machine, the default) or PostgreSQL (several workers on several machines sharing the work). The
     * PostgreSQL URL's password is better given by env `BEVARA_CATALOG__URL` or PGPASSWORD; it is masked in output.
     */
    catalog: z
      .discriminatedUnion('driver', [
        z
          .object({
            driver: z.literal('sqlite'),
            /** Default: `<dataDir>/catalog.sqlite`. */
            path: z.string().min(1).optional(),
          })
          .strict(),
        z
          .object({
            driver: z.literal('postgres'),
            url: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL'),
            poolSize: z.number().int().min(1).max(100).optional(),
          })
          .strict(),
      ])
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
        /**
         * Largest METS file of a SIP that is read, in MiB; a larger one refuses the SIP (METS-size) unread. A METS
         * is parsed whole at about 30 bytes of memory a byte: the default keeps ingest under 300 MB.
         */
        maxMetsMiB: z.number().min(0.01).max(1024).default(2),
        /**
         * Most files one record (folder, bag or SIP) may hold; a larger one is refused (record-too-many-files,
         * sip-too-many-entries) before its files are read. Packaging keeps about 2 KB per file in memory (in the
         * packaging thread and the main thread together): 20,000 files peak near 255 MB, 100,000 near 530 MB.
         */
        maxRecordFiles: z.number().int().min(1).max(10_000_000).default(20_000),
      })
      .strict()
      .default({
        maxPathLength: 255,
        incompleteUploadsMaxAgeMinutes: 1440,
        maxMetsMiB: 2,
        maxRecordFiles: 20_000,
      }),
    audit: auditSchema,
    /** Retention rules for appraisal and disposal (`bevara disposal plan`). */
    retention: retentionSchema,
    /** Language of the labels in reports: Swedish or English. */
    language: z.enum(['sv', 'en']).default('sv'),
    /**
     * Who may read what bevara writes (data folder, catalog, reports, quarantine, fs locations): `owner` (files
     * 0600, folders 0700) or `group` (0640, 0750), for an operations group. Stored packages are always 0440.
     */
    access: z.enum(['owner', 'group']).default('owner'),
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
        /**
         * The archive creator (arkivbildare) of every package whose record names none (record.json
         * `archiveCreator`, an FGS 1.x SIP's header), with the NAD-style reference code of its archive.
         */
        archivalCreator: z
          .object({
            name: z.string().min(1),
            identificationCode: z.string().min(1).optional(),
            referenceCode: z
              .string()
              .regex(
                REFERENCE_CODE,
                'expected a NAD-style reference code SE/<institution>/<id>, e.g. "SE/EXK/BN"',
              )
              .optional(),
          })
          .strict()
          .optional(),
        /** Reference of the submission agreement (leveransöverenskommelse) packages are made under. */
        submissionAgreement: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** The unattended worker (`bevara worker`). */
    worker: z
      .object({
        /** Unique among live workers (default: the host name); a restarted worker with the same id resumes at once. */
        id: z
          .string()
          .regex(/^[A-Za-z0-9._:-]{1,100}$/)
          .optional(),
        /** How often the worker looks for new jobs and runs other workers started. */
        pollSeconds: z.number().min(0.05).max(3600).default(5),
        /** How long a record stays with a worker that stopped answering before another takes it over. */
        leaseSeconds: z.number().min(0.5).max(86_400).default(60),
        /** How long a stop waits for work in flight to reach a safe point. */
        graceSeconds: z.number().min(0).max(3600).default(30),
        /** Health file rewritten on every look (default: `<dataDir>/worker-<id>.health.json`). */
        healthFile: z.string().min(1).optional(),
      })
      .strict()
      .default({ pollSeconds: 5, leaseSeconds: 60, graceSeconds: 30 }),
    /** The web console and HTTP API (`bevara serve`). */
    http: z
      .object({
        /** `host:port` to listen on; the default keeps the console on this machine (put a TLS proxy in front). */
        listen: z
          .string()
          .regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'host:port, e.g. 127.0.0.1:8080')
          .default('127.0.0.1:8080'),
        /** `/metrics` for anyone who reaches the port (`open`, for a Prometheus scraper) or after login (`login`). */
        metrics: z.enum(['login', 'open']).default('login'),
        /** A session ends this long after login. */
        sessionHours: z.number().min(0.05).max(720).default(8),
        /** Failed or not, at most this many login attempts per client address and minute. */
        loginAttemptsPerMinute: z.number().int().min(1).max(1000).default(10),
        /** Behind a reverse proxy: take the client address and protocol from X-Forwarded-* headers. */
        trustProxy: z.boolean().default(false),
        /** Log in with the local accounts of `bevara users add`; `false` leaves only OpenID Connect (`oidc`). */
        localLogin: z.boolean().default(true),
        /** OpenID Connect login beside (or, with `localLogin: false`, instead of) local accounts. */
        oidc: oidcSchema.optional(),
      })
      .strict()
      .refine((http) => http.localLogin || http.oidc, {
        message: 'localLogin: false needs an oidc section, or nobody could log in',
        path: ['localLogin'],
      })
      .default({
        listen: '127.0.0.1:8080',
        metrics: 'login',
        sessionHours: 8,
        loginAttemptsPerMinute: 10,
        trustProxy: false,
        localLogin: true,
      }),
    /** Copy policy override: location names that must each hold a verified copy. Default: the profile's. */
    copies: z.array(z.string()).min(1).optional(),
    /** Ingest jobs by name (`^[a-z0-9][a-z0-9._-]{0,62}$`, checked with the rest of each job by `src/jobs/`), kept
     * in the catalog together with those of `bevara jobs add`. */
    jobs: z.record(z.string(), jobConfig).default({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type LocationConfig = z.infer<typeof locationSchema>;

/** Keys whose values never reach logs, reports or `bevara config`. */
export const SECRET_KEY = /secret|password|passphrase|token|credential|private/i;
