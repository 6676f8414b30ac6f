import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors.js';

const organisationSchema = z
  .object({
    name: z.string().min(1),
    identificationCode: z.string().min(1).optional(),
    address: z.string().min(1).optional(),
    /** NAD-style reference code of the archive creator's archive, e.g. "SE/EXK/BN" (archival creator only). */
    referenceCode: z.string().min(1).optional(),
  })
  .strict();

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
    /**
     * `eark`: the ZIP's root folder is the E-ARK package. `bagit`: the ZIP's root folder is a BagIt bag (E-ARK
     * BagIt profile: MD5, SHA-1 and SHA-256 manifests, bag-info.txt) whose data/ holds the E-ARK package.
     */
    layout: z.enum(['eark', 'bagit']),
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
    /**
     * Header agents the package must name (FGS / E-ARK SIP: the archival creator and the submitting agent; a
     * submission agreement). Their values come from the config's `organisation`; a missing one is a config error.
     */
    requires: z.array(z.enum(['archivalCreator', 'submittingAgent', 'submissionAgreement'])).default([]),
    /** Filled from the config when the profile is used, not written in profile files. */
    header: z
      .object({
        archivalCreator: organisationSchema.optional(),
        submittingAgent: organisationSchema.optional(),
        submissionAgreement: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type Profile = z.infer<typeof profileSchema>;
export type PackageHeader = NonNullable<Profile['header']>;

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

/**
 * The profile with the package header filled from the config's `organisation`: the submitting agent is the
 * organisation, the archival creator is `organisation.archivalCreator` or else the organisation itself.
 * Throws `ConfigError` naming what a profile requires and the config lacks.
 */
export function withHeader(profile: Profile, organisation: OrganisationConfig | undefined): Profile {
  const self = organisation
    ? {
        name: organisation.name,
        ...(organisation.identificationCode ? { identificationCode: organisation.identificationCode } : {}),
        ...(organisation.address ? { address: organisation.address } : {}),
      }
    : undefined;
  const header: PackageHeader = {
    ...(self ? { submittingAgent: self, archivalCreator: organisation?.archivalCreator ?? self } : {}),
    ...(organisation?.submissionAgreement ? { submissionAgreement: organisation.submissionAgreement } : {}),
  };
  const missing = profile.requires.filter((what) => header[what] === undefined);
  if (missing.length > 0) {
    throw new ConfigError(
      `profile "${profile.name}"`,
      missing.map((what) => ({
        path: what === 'submissionAgreement' ? 'organisation.submissionAgreement' : 'organisation.name',
        message: `the profile requires ${HEADER_NAMES[what]}; set it in the config`,
      })),
    );
  }
  return Object.keys(header).length > 0 ? { ...profile, header } : profile;
}

const HEADER_NAMES = {
  archivalCreator: 'an archival creator (arkivbildare)',
  submittingAgent: 'a submitting agent (levererande organisation)',
  submissionAgreement: 'a submission agreement (leveransöverenskommelse)',
} as const;

/** The config's `organisation` section, as `withHeader` reads it. */
export interface OrganisationConfig {
  name: string;
  identificationCode?: string;
  address?: string;
  archivalCreator?: { name: string; identificationCode?: string; referenceCode?: string };
  submissionAgreement?: string;
}
