import type { DescriptiveMetadata } from '../model/package.js';
import type { ValidationError } from '../errors.js';
import { ERMS_NAMESPACE, ermsDescriptiveMetadata, readErms } from '../metadata/erms.js';
import type { ErmsSchematron } from '../metadata/erms-schematron.js';
import type { XmlValidator } from '../metadata/xml-validator.js';
import { recordError } from './file-reader.js';
import type { SourceMetadataFile } from './types.js';

/** A case-management export (CITS ERMS, FGS Ärendehantering) at a record's root. */
export const ERMS_FILE_NAME = 'erms.xml';

/**
 * Checks a record's ERMS export against the ERMS 2.1.2 schema (offline) and reads the case's title,
 * identifier and dates from it. Each schema problem becomes a rejection naming record, file, line and rule
 * `erms-invalid`. A schema-valid export is then held to the ERMS Schematron rules (`erms-schematron.ts`): each
 * failed rule of role error is a rejection with rule `erms-schematron`, naming the Schematron rule id and line.
 */
export async function checkErmsFile(
  file: SourceMetadataFile,
  record: string,
  validator: XmlValidator,
  schematron?: ErmsSchematron,
): Promise<{ errors: ValidationError[]; metadata: Partial<DescriptiveMetadata> }> {
  const fail = (reason: string) => recordError('erms-invalid', record, file.name, reason);
  const xml = file.bytes.toString('utf8');
  // The namespace first: a document in another namespace fails the schema with a message nobody can act on.
  const namespace = /<(?:\w+:)?erms\b[^>]*\sxmlns(?::\w+)?="([^"]*)"/.exec(xml)?.[1];
  if (namespace !== undefined && namespace !== ERMS_NAMESPACE) {
    const why = `namespace "${namespace}", expected "${ERMS_NAMESPACE}" (namespaces are case-sensitive)`;
    return { errors: [fail(`not an ERMS document: ${why}`)], metadata: {} };
  }
  const result = await validator.validate(xml, 'erms', file.name);
  if (!result.valid) {
    return {
      errors: result.problems
        .slice(0, 20)
        .map((p) => fail(`not valid against the ERMS 2.1.2 schema: ${p.message}`)),
      metadata: {},
    };
  }
  const failed =
    (await schematron?.check(xml))?.filter((f) => f.role === 'error' || f.role === 'fatal') ?? [];
  if (failed.length > 0) {
    const errors = failed.slice(0, 20).map((f) => {
      const where = f.line === undefined ? '' : `line ${f.line}: `;
      const reason = `${where}Schematron rule ${f.id} (${f.schema}) failed: ${f.message}`;
      return recordError('erms-schematron', record, file.name, reason);
    });
    return { errors, metadata: {} };
  }
  const read = readErms(xml);
  if (!read.ok) return { errors: [fail(`not an ERMS document: ${read.problem}`)], metadata: {} };
  return { errors: [], metadata: ermsDescriptiveMetadata(read.summary) };
}
