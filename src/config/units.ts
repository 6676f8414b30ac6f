import { z } from 'zod';

const DURATION_UNITS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  pb: 1e15,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
  pib: 2 ** 50,
};

/** `90d`, `5h`, `30m`, `45s`, `2w` → milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(s|min|m|h|d|w)\s*$/i.exec(text);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * (DURATION_UNITS[(match[2] as string).toLowerCase()] as number));
}

/** `2TB`, `500GiB`, `50MB`, `1024` → bytes (SI units are powers of 1000, IEC units powers of 1024). */
export function parseBytes(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]i?b|b)?\s*$/i.exec(text);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * (BYTE_UNITS[(match[2] ?? 'b').toLowerCase()] as number));
}

/** A duration in config: `90d` or a number of milliseconds. */
export const durationSchema = z.union([z.number().int().positive(), z.string()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value : parseDuration(value);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a duration such as "90d", "5h" or "30m", got "${value}"`,
    });
    return z.NEVER;
  }
  return ms;
});

/** A size in config: `2TB`, `500GiB` or a number of bytes. */
export const bytesSchema = z.union([z.number().int().positive(), z.string()]).transform((value, ctx) => {
  const bytes = typeof value === 'number' ? value : parseBytes(value);
  if (bytes === undefined || bytes <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected a size such as "2TB" or "500GiB", got "${value}"` });
    return z.NEVER;
  }
  return bytes;
});

/** A rate in config: `50MB/s` or a number of bytes per second. */
export const rateSchema = z.union([z.number().int().positive(), z.string()]).transform((value, ctx) => {
  const bytes = typeof value === 'number' ? value : parseBytes(value.replace(/\/s\s*$/i, ''));
  if (bytes === undefined || bytes <= 0 || (typeof value === 'string' && !/\/s\s*$/i.test(value))) {
    ctx.addIssue({ code: 'custom', message: `expected a rate such as "50MB/s", got "${value}"` });
    return z.NEVER;
  }
  return bytes;
});

/** A share in config: `1%`, `0.5%` or a fraction between 0 and 1. */
export const shareSchema = z.union([z.number().min(0).max(1), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
  const share = match ? Number(match[1]) / 100 : undefined;
  if (share === undefined || share > 1) {
    ctx.addIssue({ code: 'custom', message: `expected a percentage such as "1%", got "${value}"` });
    return z.NEVER;
  }
  return share;
});
