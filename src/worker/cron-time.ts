import { parse } from 'node-cron';

/**
 * When a cron expression fires next, in its IANA time zone: the fields come from node-cron's parser (five or six
 * fields, names, ranges, steps, `L`, `W`, `#`), the matching is done here so that the scheduler can run on any
 * clock. As in node-cron 4, a day fires when its day of month, month and day of week all match.
 *
 * Daylight saving time: a local time that occurs twice (autumn) fires once, at its first occurrence; a local time
 * that does not occur (spring) fires once, at the first instant after the jump (02:30 in Stockholm on the last
 * Sunday of March fires at 03:30 CEST), so that a nightly job never loses a night.
 */
export type CronTimes = (after: Date) => Date | null;

/** A 29 February on a given weekday can be 28 years away; further than that nothing matches. */
const MAX_DAYS = 366 * 29;
const DAY_MS = 86_400_000;

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

export function cronTimes(expression: string, timeZone: string): CronTimes {
  const fields = parse(expression);
  const seconds = sortedNumbers(fields.second);
  const minutes = sortedNumbers(fields.minute);
  const hours = sortedNumbers(fields.hour);
  const months = new Set(sortedNumbers(fields.month));
  const dayOfMonth = fields.dayOfMonth.map(dayOfMonthTest);
  const dayOfWeek = fields.dayOfWeek.map(dayOfWeekTest);
  const toInstant = localTimeToInstant(timeZone);
  const matchesDay = (d: LocalDate) =>
    months.has(d.month) && dayOfMonth.some((test) => test(d)) && dayOfWeek.some((test) => test(d));

  // The first time of the day later than `after`; parts of the day that are over are skipped whole.
  const firstOnDay = (d: LocalDate, after: number): number | null => {
    const at = (h: number, m: number, s: number) => toInstant({ ...d, hour: h, minute: m, second: s });
    const lastMinute = minutes.at(-1) as number;
    const lastSecond = seconds.at(-1) as number;
    for (const h of hours) {
      if (at(h, lastMinute, lastSecond) <= after) continue;
      for (const m of minutes) {
        if (at(h, m, lastSecond) <= after) continue;
        for (const s of seconds) {
          const t = at(h, m, s);
          if (t > after) return t;
        }
      }
    }
    return null;
  };

  return (after) => {
    const start = localParts(timeZone, after.getTime());
    for (let i = 0; i < MAX_DAYS; i++) {
      const d = addDays(start, i);
      if (!matchesDay(d)) continue;
      const t = firstOnDay(d, after.getTime());
      if (t !== null) return new Date(t);
    }
    return null;
  };
}

function sortedNumbers(values: (number | string)[]): number[] {
  const numbers = values.map(Number);
  if (numbers.length === 0 || numbers.some((n) => !Number.isInteger(n)))
    throw new Error(`[cron] unexpected field values: ${values.join(',')}`);
  return numbers.sort((a, b) => a - b);
}

const lastDayOf = (d: LocalDate) => new Date(Date.UTC(d.year, d.month, 0)).getUTCDate();
const weekdayOf = (d: LocalDate) => new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();

/** The weekday nearest to `target` within its month (`15W`, `LW`). */
function nearestWeekday(d: LocalDate, target: number): number {
  const last = lastDayOf(d);
  const weekday = weekdayOf({ ...d, day: target });
  if (weekday === 6) return target === 1 ? 3 : target - 1;
  if (weekday === 0) return target === last ? target - 2 : target + 1;
  return target;
}

function dayOfMonthTest(token: number | string): (d: LocalDate) => boolean {
  if (typeof token === 'number') return (d) => d.day === token;
  if (token === 'L') return (d) => d.day === lastDayOf(d);
  const fromLast = /^L-(\d{1,2})$/.exec(token);
  if (fromLast) return (d) => d.day === lastDayOf(d) - Number(fromLast[1]);
  const weekday = /^(\d{1,2}|L)W$/.exec(token);
  if (weekday) {
    const target = weekday[1] as string;
    return (d) => {
      const day = target === 'L' ? lastDayOf(d) : Number(target);
      return day <= lastDayOf(d) && d.day === nearestWeekday(d, day);
    };
  }
  throw new Error(`[cron] unsupported day of month "${token}"`);
}

function dayOfWeekTest(token: number | string): (d: LocalDate) => boolean {
  if (typeof token === 'number') return (d) => weekdayOf(d) === token % 7;
  const last = /^([0-7])L$/.exec(token);
  if (last) return (d) => weekdayOf(d) === Number(last[1]) % 7 && d.day + 7 > lastDayOf(d);
  const nth = /^([0-7])#([1-5])$/.exec(token);
  if (nth) return (d) => weekdayOf(d) === Number(nth[1]) % 7 && Math.ceil(d.day / 7) === Number(nth[2]);
  throw new Error(`[cron] unsupported day of week "${token}"`);
}

function addDays(d: LocalDate, days: number): LocalDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day) + days * DAY_MS);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

interface LocalTime extends LocalDate {
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock time in `timeZone` at instant `t` (ms). */
function localParts(timeZone: string, t: number): LocalTime {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(new Date(t)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const { year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0 } = parts;
  return { year, month, day, hour, minute, second };
}

/**
 * The instant (ms) of a wall-clock time in `timeZone`: the earlier one when it occurs twice, the instant after the
 * jump when it does not occur (it is read with the offset in force before the jump).
 */
function localTimeToInstant(timeZone: string): (local: LocalTime) => number {
  const offsetAt = (t: number) => {
    const p = localParts(timeZone, t);
    return (
      Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - (t - (((t % 1000) + 1000) % 1000))
    );
  };
  return (local) => {
    const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
    const before = wall - offsetAt(wall - DAY_MS);
    const after = wall - offsetAt(wall + DAY_MS);
    const reads = (t: number) => Date.UTC(...utcFields(localParts(timeZone, t))) === wall;
    const valid = [before, after].filter(reads);
    return valid.length > 0 ? Math.min(...valid) : before;
  };
}

function utcFields(p: LocalTime): [number, number, number, number, number, number] {
  return [p.year, p.month - 1, p.day, p.hour, p.minute, p.second];
}
