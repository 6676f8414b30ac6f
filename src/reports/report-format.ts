/**
 * Numbers, sizes, dates and durations for the HTML reports, in the report's locale. Dates are shown in UTC
 * (`2025-03-01 02:00:05 UTC`): operations staff compare them with logs, which are in UTC too. A report read back
 * from its JSON has dates as ISO strings, so every date parameter takes either form.
 */
import { formatBytes } from './format-bytes.js';
import type { Labels } from './labels.js';

/** A date as the report model holds it: a Date, or an ISO string when read back from JSON. */
export type DateLike = Date | string | undefined;

export interface ReportFormat {
  /** Whole number with the locale's digit grouping ("1 234" in Swedish). */
  count(n: number): string;
  /** A size in binary units ("1,4 GB" in Swedish). */
  bytes(n: number): string;
  /** `2025-03-01 02:00:05 UTC`, or "—" when unknown. */
  date(value: DateLike): string;
  /** `2 h 05 min`, `4 min 12 s`, `8,3 s`. */
  duration(ms: number): string;
  /** Throughput in MB/s (10^6 bytes per second, as configured rate limits are written), or "—". */
  mbps(bytes: number, ms: number | undefined): string;
  /** Percentage with one decimal when below 100 ("97,5 %"). */
  percent(part: number, whole: number): string;
}

/** Milliseconds of a date, or undefined when missing or not a date. */
export function timeOf(value: DateLike): number | undefined {
  if (value === undefined) return undefined;
  const ms = (typeof value === 'string' ? new Date(value) : value).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

/** Milliseconds between two dates, or undefined unless both are known. */
export function millisBetween(start: DateLike, end: DateLike): number | undefined {
  const a = timeOf(start);
  const b = timeOf(end);
  return a === undefined || b === undefined ? undefined : Math.max(0, b - a);
}

/** Creates the formatter for one report's labels (locale). */
export function createReportFormat(labels: Labels): ReportFormat {
  const integer = new Intl.NumberFormat(labels.locale, { maximumFractionDigits: 0 });
  const decimal = new Intl.NumberFormat(labels.locale, {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
  const localDecimal = (text: string) => (labels.locale.startsWith('sv') ? text.replace('.', ',') : text);
  return {
    count: (n) => integer.format(n),
    bytes: (n) => localDecimal(formatBytes(n)),
    date(value) {
      const ms = timeOf(value);
      if (ms === undefined) return '—';
      return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
    },
    duration(ms) {
      const seconds = Math.round(ms / 1000);
      if (ms < 60_000) return `${decimal.format(ms / 1000)} s`;
      const h = Math.floor(seconds / 3600);
      const m = Math.floor((seconds % 3600) / 60);
      const s = seconds % 60;
      return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min ${String(s).padStart(2, '0')} s`;
    },
    mbps(bytes, ms) {
      if (ms === undefined || ms <= 0) return '—';
      return decimal.format(bytes / 1e6 / (ms / 1000));
    },
    percent(part, whole) {
      if (whole <= 0) return '—';
      const share = (part / whole) * 100;
      return `${share >= 100 ? integer.format(share) : decimal.format(Math.floor(share * 10) / 10)} %`;
    },
  };
}
