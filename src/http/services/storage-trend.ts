/** Storage used per location over time, for the overview's chart: running totals of copies' bytes by day stored. */
import type { StorageDay } from '../../catalog/console-types.js';

export interface StorageTrend {
  /** UTC days (YYYY-MM-DD) on which copies were stored, oldest first; at most `MAX_DAYS`, the latest. */
  days: string[];
  /** Bytes each location held at the end of each day (copies held now, by the day each was stored). */
  locations: { name: string; bytes: number[] }[];
}

/** Days shown: the chart stays readable and the table short. */
export const MAX_DAYS = 60;

export function storageTrend(rows: StorageDay[], maxDays = MAX_DAYS): StorageTrend {
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const names = [...new Set(rows.map((r) => r.location))].sort();
  const added = new Map(rows.map((r) => [`${r.location}\u0000${r.day}`, r.bytes]));
  const locations = names.map((name) => {
    let total = 0;
    const bytes = days.map((day) => {
      total += added.get(`${name}\u0000${day}`) ?? 0;
      return total;
    });
    return { name, bytes: bytes.slice(-maxDays) };
  });
  return { days: days.slice(-maxDays), locations };
}
