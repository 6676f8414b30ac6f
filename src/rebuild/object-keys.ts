/**
 * What a stored object is, from its key alone (see storage/keys.ts and audit/repair.ts for how they are named):
 *
 *   packages/<id>/<id>.zip                      a copy of package <id>
 *   packages/<id>/<id>.r<yyyymmddThhmmssZ>.zip  a copy written by a repair (write-once: beside the damaged one)
 *   packages/<id>/events-<time>.premis.xml      the package's PREMIS event history, written after a repair
 *   reports/<run>.premis.xml                    the PREMIS events of an audit run (reports/<run>.json|html too)
 */
export type ObjectRole = 'copy' | 'event-log' | 'run-log' | 'report' | 'other';

export interface ClassifiedKey {
  role: ObjectRole;
  /** The package a copy or event log belongs to. */
  packageId?: string;
}

const COPY = /^packages\/([^/]+)\/\1(?:\.r\d{8}T\d{6}Z)?\.zip$/;
const EVENT_LOG = /^packages\/([^/]+)\/events-[^/]+\.premis\.xml$/;

export function classifyKey(key: string): ClassifiedKey {
  const copy = COPY.exec(key);
  if (copy) return { role: 'copy', packageId: copy[1] };
  const log = EVENT_LOG.exec(key);
  if (log) return { role: 'event-log', packageId: log[1] };
  if (/^reports\/[^/]+\.premis\.xml$/.test(key)) return { role: 'run-log' };
  if (/^reports\/[^/]+$/.test(key)) return { role: 'report' };
  return { role: 'other' };
}

/** Repair copies sort after the original and by their time stamp: the last is the copy the catalog names. */
export function newestCopyKey(keys: string[]): string | undefined {
  return [...keys].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)).at(-1);
}
