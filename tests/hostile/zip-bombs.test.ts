import fs from 'node:fs';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bevara, snapshot } from '../e2e/helpers.js';
import {
  expectArchiveConsistent,
  expectRefused,
  type HostileWorld,
  hostileWorld,
  type IngestReport,
  ingestReport,
} from './harness.js';

const GOOD_SIP = path.resolve('fixtures/sips/BN-2024-0113.zip');

/** One deflated entry: its local header (name included) and data, and a central header for it at `offset`. */
function deflatedEntry(
  name: string,
  data: Buffer,
): { body: Buffer; central(entryName: string, offset: number): Buffer } {
  const packed = deflateRawSync(data, { level: 9 });
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(0x0800, 6);
  local.writeUInt16LE(8, 8);
  local.writeUInt16LE(0x21, 12);
  local.writeUInt32LE(crc32(data), 14);
  local.writeUInt32LE(packed.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(Buffer.byteLength(name), 26);
  return {
    body: Buffer.concat([local, Buffer.from(name), packed]),
    central(entryName, offset) {
      const header = Buffer.alloc(46);
      header.writeUInt32LE(0x02014b50, 0);
      header.writeUInt16LE(20, 4);
      header.writeUInt16LE(20, 6);
      local.copy(header, 8, 6, 26);
      header.writeUInt16LE(Buffer.byteLength(entryName), 28);
      header.writeUInt32LE(offset, 42);
      return Buffer.concat([header, Buffer.from(entryName)]);
    },
  };
}

/** The archive: entry bytes, then the central directory and its end record. */
function archive(body: Buffer, central: Buffer[]): Buffer {
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(central.length, 8);
  eocd.writeUInt16LE(central.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(body.length, 16);
  return Buffer.concat([body, cd, eocd]);
}

/**
 * A ZIP whose central directory lists `count` entries that all point at the one local entry holding `data`
 * deflated: each claims `data.length` bytes, read from the same few compressed bytes.
 */
function overlappingZip(data: Buffer, count: number): Buffer {
  const entry = deflatedEntry('bomb/a0000.bin', data);
  const names = Array.from({ length: count }, (_, i) => `bomb/a${String(i).padStart(4, '0')}.bin`);
  return archive(
    entry.body,
    names.map((name) => entry.central(name, 0)),
  );
}

/** A well-formed ZIP of one entry of `size` zero bytes, deflated as far as it goes (about 1030:1). */
function zeroZip(size: number): Buffer {
  const entry = deflatedEntry('nollor/noll.bin', Buffer.alloc(size));
  return archive(entry.body, [entry.central('nollor/noll.bin', 0)]);
}

describe('ZIP bombs in a SIP inbox are refused from the central directory, before any data is read', () => {
  let world: HostileWorld;
  let report: IngestReport;
  let code: number;
  let inboxBefore: Record<string, string>;
  let outsideBefore: Record<string, string>;

  beforeAll(() => {
    world = hostileWorld('zipbomb');
    fs.copyFileSync(GOOD_SIP, path.join(world.inbox, 'god.zip'));
    // 5,000 entries of 1 MiB each from one entry of about 1 KB: 5 GB claimed by an archive of about 300 KB.
    fs.writeFileSync(path.join(world.inbox, 'overlapp.zip'), overlappingZip(Buffer.alloc(1024 * 1024), 5000));
    // One entry of 64 MiB of zeros from about 64 KB: over the 1000:1 ratio.
    fs.writeFileSync(path.join(world.inbox, 'nollor.zip'), zeroZip(64 * 1024 * 1024));
    inboxBefore = snapshot(world.inbox);
    outsideBefore = world.snapshotOutside();
    const result = bevara(world.data, ['--json', 'ingest', '--source', 'eark-sip', world.inbox]);
    code = result.code;
    report = ingestReport(result);
  }, 120_000);
  afterAll(() => world.dispose());

  it('ingest refuses each bomb with its rule and archives the good SIP', () => {
    expect(code).toBe(1);
    expect(report.items.filter((i) => i.status === 'ok').map((i) => i.subject)).toEqual(['god']);
    expectRefused(report, 'overlapp', 'zip-overlapping-entries');
    expectRefused(report, 'nollor', 'zip-compression-ratio');
    expect(snapshot(world.inbox)).toEqual(inboxBefore);
    expect(world.snapshotOutside()).toEqual(outsideBefore);
    expectArchiveConsistent(world.data);
  });

  it('validate gives the same verdict with the same rules', () => {
    for (const [file, rule] of [
      ['overlapp.zip', 'zip-overlapping-entries'],
      ['nollor.zip', 'zip-compression-ratio'],
    ]) {
      const result = bevara(world.data, ['--json', 'validate', path.join(world.inbox, file as string)]);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout).toContain(rule as string);
    }
  });
});
