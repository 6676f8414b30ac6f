import { randomBytes } from 'node:crypto';

/**
 * A new package identifier: "uuid-" + a UUID version 7 (RFC 9562), so ids sort by creation time and are safe as
 * folder names, ZIP root folders, storage keys and xs:ID-like values everywhere. `now` comes from the app clock.
 */
export function newPackageId(now: Date): string {
  const bytes = randomBytes(16);
  const ms = BigInt(now.getTime());
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `uuid-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
