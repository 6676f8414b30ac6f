import { describe, expect, it } from 'vitest';
import { buildPremis } from '../../../src/metadata/premis.js';
import type { EventRecord } from '../../../src/model/package.js';
import { classifyKey, newestCopyKey } from '../../../src/rebuild/object-keys.js';
import { premisRoot, readPremisEvents, readPremisFiles } from '../../../src/rebuild/premis-read.js';
import { renderPremisEventLog } from '../../../src/reports/premis-log.js';
import { municipalCase, PACKAGE_ID } from '../metadata/municipal-case.js';

describe('PREMIS read back into catalog rows', () => {
  it("a package's premis.xml gives back its files (with formats) and its events", () => {
    const plain = municipalCase();
    const formats = [
      { puid: 'fmt/354', name: 'Acrobat PDF/A', version: '1b', basis: 'PDF header' },
      { basis: 'text' },
    ];
    const desc = municipalCase({ files: plain.files.map((f, i) => ({ ...f, format: formats[i] })) });
    const root = premisRoot(buildPremis(desc), 'premis.xml');
    const files = readPremisFiles(root, PACKAGE_ID, 'premis.xml');
    expect(files).toEqual(
      desc.files.map((f) => ({
        entryPath: f.entryPath,
        path: f.path,
        size: f.size,
        sha256: f.sha256,
        mimeType: f.mimeType,
        ...(f.format ? { format: f.format } : {}),
      })),
    );
    expect(files[0]?.format).toEqual(formats[0]);
    expect(files[1]?.format).toEqual(formats[1]);
    expect(readPremisEvents(root, 'premis.xml', PACKAGE_ID)).toEqual(
      desc.events.map(({ runId: _runId, object: _object, ...e }) => e),
    );
  });

  it('an event log gives back package, object and run of every event', () => {
    const events: EventRecord[] = [
      {
        id: 'e1',
        packageId: 'uuid-a',
        type: 'fixity check',
        at: new Date('2026-01-02T03:04:05.678Z'),
        outcome: 'failure',
        detail: 'bytes changed',
        agent: 'bevara/1.0.0',
        object: 'local:packages/uuid-a/uuid-a.zip',
        runId: 'audit-1',
      },
      {
        id: 'e2',
        packageId: 'uuid-b',
        type: 'replication',
        at: new Date(0),
        outcome: 'success',
        detail: '',
        agent: 'x',
      },
    ];
    const root = premisRoot(renderPremisEventLog(events, { runId: 'audit-2' }), 'log');
    expect(readPremisEvents(root, 'log')).toEqual([events[0], { ...events[1], runId: 'audit-2' }]);
  });

  it('refuses a document that is not PREMIS, naming where', () => {
    expect(() => premisRoot('<mets/>', 'local:packages/x/events-1.premis.xml')).toThrow(
      /local:packages\/x\/events-1\.premis\.xml: the root element is not premis:premis/,
    );
  });
});

describe('stored object keys', () => {
  it('tells copies, repaired copies, event logs and reports apart', () => {
    expect(classifyKey('packages/uuid-a/uuid-a.zip')).toEqual({ role: 'copy', packageId: 'uuid-a' });
    expect(classifyKey('packages/uuid-a/uuid-a.r20260102T030405Z.zip')).toEqual({
      role: 'copy',
      packageId: 'uuid-a',
    });
    expect(classifyKey('packages/uuid-a/uuid-b.zip')).toEqual({ role: 'other' });
    expect(classifyKey('packages/uuid-a/events-20260102T030405Z.premis.xml')).toEqual({
      role: 'event-log',
      packageId: 'uuid-a',
    });
    expect(classifyKey('reports/audit-1.premis.xml').role).toBe('run-log');
    expect(classifyKey('reports/audit-1.json').role).toBe('report');
    expect(classifyKey('stray.bin').role).toBe('other');
  });

  it('the newest repair is the copy the catalog names', () => {
    expect(newestCopyKey(['p/a/a.r20260102T030405Z.zip', 'p/a/a.zip', 'p/a/a.r20251231T000000Z.zip'])).toBe(
      'p/a/a.r20260102T030405Z.zip',
    );
    expect(newestCopyKey(['p/a/a.zip'])).toBe('p/a/a.zip');
  });
});
