/**
 * The record's descriptive metadata, derived again from what the package keeps verbatim, by the same code the
 * source used at ingest: a folder record's `record.json` over its `erms.xml` (folder name as the title of last
 * resort), a bag's `bag-info.txt`, a SIP's own METS (kept unchanged among the content files). Checked against
 * the package's dc.xml, which was built from the same metadata: the two must give the same bytes.
 */
import { readErms, ermsDescriptiveMetadata } from '../metadata/erms.js';
import { buildDublinCore } from '../metadata/dublin-core.js';
import type { PackageDescription } from '../metadata/types.js';
import type { DescriptiveMetadata } from '../model/package.js';
import { bagInfoToMetadata, parseBagInfo } from '../sources/bagit/bag-info.js';
import { readSipMets } from '../sources/eark-sip/sip-metadata.js';
import { ERMS_FILE_NAME } from '../sources/erms-file.js';
import { parseRecordJson, RECORD_JSON_NAME } from '../sources/record-json.js';
import { RebuildError } from './errors.js';

/** The producer files and content entries the derivation may read, by name. */
export interface MetadataSources {
  kind: string;
  key: string;
  /** Producer metadata files (metadata/descriptive/<name>), read when present. */
  producer: Map<string, Buffer>;
  /** The SIP's METS, for records of kind `eark-sip`. */
  sipMets?: Buffer;
}

export function deriveMetadata(sources: MetadataSources, where: string): DescriptiveMetadata {
  const { kind, key, producer } = sources;
  if (kind === 'eark-sip') {
    if (!sources.sipMets)
      throw new RebuildError('sip-mets-missing', `${where}: the SIP's METS is not in the package`);
    return readSipMets(sources.sipMets.toString('utf8'), key).metadata;
  }
  if (kind === 'bagit') {
    const bytes = producer.get('bag-info.txt');
    const parsed = bytes ? parseBagInfo(bytes) : undefined;
    if (parsed && !parsed.ok)
      throw new RebuildError('bag-info', `${where}: bag-info.txt: ${parsed.problems.join('; ')}`);
    return bagInfoToMetadata(parsed?.info, key);
  }
  const ermsBytes = producer.get(ERMS_FILE_NAME);
  const erms = ermsBytes ? readErms(ermsBytes.toString('utf8')) : undefined;
  if (erms && !erms.ok)
    throw new RebuildError('erms-invalid', `${where}: ${ERMS_FILE_NAME}: ${erms.problem}`);
  const fromErms = erms?.ok ? ermsDescriptiveMetadata(erms.summary) : {};
  const recordBytes = producer.get(RECORD_JSON_NAME);
  const record = recordBytes ? parseRecordJson(recordBytes) : undefined;
  if (record && !record.ok) {
    throw new RebuildError('record-json', `${where}: ${RECORD_JSON_NAME}: ${record.problems.join('; ')}`);
  }
  const own = record?.ok ? record.metadata : undefined;
  return { ...fromErms, ...own, title: own?.title ?? fromErms.title ?? key };
}

/** Whether `metadata` gives, byte for byte, the dc.xml the package holds. */
export function matchesDublinCore(metadata: DescriptiveMetadata, key: string, dcXml: string): boolean {
  const description = { descriptive: metadata, source: { kind: '', key } } as PackageDescription;
  return buildDublinCore(description) === dcXml;
}
