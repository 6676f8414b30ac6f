/**
 * The Schematron rules of CITS ERMS 2.1.2 (FGS Ärendehantering 2.0), run after the ERMS schema: DILCIS's erms.sch
 * as published, and bevara's erms-bevara.sch, which restates the rules of erms.sch that name values or attributes
 * ERMS.xsd does not have (so never fire) with the schema's names. Both are read from the schema folder on first
 * use and compiled once per checker.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFoundError } from '../errors.js';
import { compileSchematron, type Schematron, type SchematronFinding } from './schematron.js';

/** The Schematron files run on every ERMS export, in order. */
export const ERMS_SCHEMATRON_FILES = ['erms.sch', 'erms-bevara.sch'] as const;

export interface ErmsSchematron {
  /** Every failed rule of every ERMS Schematron file, each with the file it comes from. */
  check(xml: string): Promise<(SchematronFinding & { schema: string })[]>;
}

/** Creates a checker reading its Schematron files from `schemaDir` (default: bevara's `profiles/schemas`). */
export function createErmsSchematron(options: { schemaDir?: string } = {}): ErmsSchematron {
  const dir = options.schemaDir ?? fileURLToPath(new URL('../../profiles/schemas/', import.meta.url));
  let compiled: Promise<{ schema: string; rules: Schematron }[]> | undefined;
  const load = () =>
    Promise.all(
      ERMS_SCHEMATRON_FILES.map(async (schema) => {
        const text = await readFile(join(dir, schema), 'utf8').catch((err: unknown) => {
          throw new NotFoundError(`[erms] Schematron file "${schema}" cannot be read from ${dir}`, {
            cause: err,
          });
        });
        return { schema, rules: compileSchematron(text, schema) };
      }),
    );
  return {
    async check(xml) {
      compiled ??= load();
      compiled.catch(() => {
        compiled = undefined;
      });
      return (await compiled).flatMap(({ schema, rules }) =>
        rules.validate(xml).map((f) => ({ ...f, schema })),
      );
    },
  };
}
