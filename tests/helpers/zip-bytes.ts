import { crc32, deflateRawSync } from 'node:zlib';

/**
 * The tests' own tiny ZIP writer, independent of the project's: entries written exactly as named (so a test can
 * make `../` paths, folder entries, or a flat archive), stored or deflated, sizes in the local headers, then the
 * central directory. For archives the project's writer would refuse or never produce.
 */
export interface ZipSampleEntry {
  name: string;
  data: Buffer | string;
  /** Deflate the entry (default: store). */
  deflate?: boolean;
  /** The uncompressed size the headers claim, when a test wants them to lie (default: the true size). */
  claimedSize?: number;
}

/** A ZIP archive with sizes in the local headers (no data descriptors), then the central directory. */
export function makeZip(entries: ZipSampleEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const raw = Buffer.from(entry.data);
    const data = entry.deflate ? deflateRawSync(raw) : raw;
    const name = Buffer.from(entry.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(entry.deflate ? 8 : 0, 8);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc32(raw), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(entry.claimedSize ?? raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    local.copy(header, 8, 6, 30); // flags .. name length, same layout
    header.writeUInt32LE(offset, 42);
    central.push(header, name);
    parts.push(local, name, data);
    offset += 30 + name.length + data.length;
  }
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, eocd]);
}
