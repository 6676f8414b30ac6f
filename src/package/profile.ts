import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors.js';

/** A package profile: how a record becomes a package. Loaded from `profiles/<name>.yaml` and validated. */
export const profileSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/),
    description: z.string().optional(),
    /** csip:OAISPACKAGETYPE of the root METS. */
    packageType: z.enum(['SIP', 'AIP', 'DIP']),
    /** METS TYPE: the content category (CSIP vocabulary), e.g. "Mixed". */
    contentType: z.string().min(1),
    /** csip:CONTENTINFORMATIONTYPE, e.g. "MIXED". */
    contentInformationType: z.string().min(1),
    layout: z.literal('eark'),
    /** Folder name of the single representation, e.g. "rep1". */
    representation: z.string().regex(/^[A-Za-z0-9._-]+$/),
    /**
     * Digest algorithms written for each file. SHA-256 is the one METS, PREMIS and the catalog use; further
     * algorithms are not written yet, so the schema accepts SHA-256 alone for now.
     */
    digestAlgorithms: z.tuple([z.literal('SHA-256')]),
    descriptiveMetadata: z.literal('dc'),
    /** Location names that must each hold a verified copy. */
    copies: z.array(z.string().min(1)).min(1),
  })
  .strict();

export type Profile = z.infer<typeof profileSchema>;

/** The `profiles/` folder shipped with bevara (next to `src/` and `dist/`). */
export const BUILTIN_PROFILES_DIR = fileURLToPath(new URL('../../profiles/', import.meta.url));

/** Loads a profile by name, searching `extraDir` first and then the built-in profiles. */
export function loadProfile(name: string, extraDir?: string): Profile {
  const dirs = extraDir ? [extraDir, BUILTIN_PROFILES_DIR] : [BUILTIN_PROFILES_DIR];
  const file = dirs.map((dir) => path.join(dir, `${name}.yaml`)).find(existsSync);
  if (!file)
    throw new ConfigError(`profile "${name}"`, [{ path: '', message: `not found in ${dirs.join(', ')}` }]);
  let raw: unknown;
  try {
    raw = YAML.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`profile ${file}`, [
      { path: '', message: `not valid YAML: ${(err as Error).message}` },
    ]);
  }
  const parsed = profileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      `profile ${file}`,
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  if (parsed.data.name !== name) {
    throw new ConfigError(`profile ${file}`, [
      { path: 'name', message: `is "${parsed.data.name}", file name says "${name}"` },
    ]);
  }
  return parsed.data;
}
