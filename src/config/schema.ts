import { z } from 'zod';

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

export const locationSchema = z.discriminatedUnion('driver', [fsLocation]);

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
      })
      .strict()
      .default({ maxPathLength: 255 }),
    audit: z
      .object({
        /** Worker threads that verify copies in parallel; default: one per core. 1 verifies on the main thread. */
        workers: z.number().int().min(1).max(64).optional(),
      })
      .strict()
      .default({}),
    /** Copy policy override: location names that must each hold a verified copy. Default: the profile's. */
    copies: z.array(z.string()).min(1).optional(),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type LocationConfig = z.infer<typeof locationSchema>;

/** Keys whose values never reach logs, reports or `bevara config`. */
export const SECRET_KEY = /secret|password|passphrase|token|credential|private/i;
