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

/**
 * A ZIP whose central directory lists `count` entries that all point at the one local entry holding `data`
 * deflated: each claims `data.length` bytes, read from the same few compressed bytes.
 */
function overlappingZip(data: Buffer, count: number): Buffer {
  const packed = deflateRawSync(data, { level: 9 });
  const name = Buffer.from('bomb/a0000.bin');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(0x0800, 6);
  local.writeUInt16LE(8, 8);
  local.writeUInt16LE(0x21, 12);
  local.writeUInt32LE(crc32(data), 14);
  local.writeUInt32LE(packed.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(name.length, 26);
  const body = Buffer.concat([local, name, packed]);
  const central: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const entryName = Buffer.from(`bomb/a${String(i).padStart(4, '0')}.bin`);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    local.copy(header, 8, 6, 26);
    header.writeUInt16LE(entryName.length, 28);
    header.writeUInt32LE(0, 42);
    central.push(header, entryName);
  }
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(count, 8);
  eocd.writeUInt16LE(count, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(body.length, 16);
  return Buffer.concat([body, cd, eocd]);
}

/** A well-formed ZIP of one entry of `size` zero bytes, deflated as far as it goes (about 1030:1). */
function zeroZip(size: number): Buffer {
  const data = Buffer.alloc(size);
  const packed = deflateRawSync(data, { level: 9 });
  const name = Buffer.from('nollor/noll.bin');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(0x0800, 6);
  local.writeUInt16LE(8, 8);
  local.writeUInt16LE(0x21, 12);
  local.writeUInt32LE(crc32(data), 14);
  local.writeUInt32LE(packed.length, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(name.length, 26);
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(20, 6);
  local.copy(header, 8, 6, 30);
  const body = Buffer.concat([local, name, packed]);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(46 + name.length, 12);
  eocd.writeUInt32LE(body.length, 16);
  return Buffer.concat([body, header, name, eocd]);
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
