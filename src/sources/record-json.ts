/**
 * `record.json`: the optional descriptive metadata a producer puts at the root of a record folder.
 *
 * ```json
 * {
 *   "title": "Ansökan om bygglov, Östra Gränd 3",
 *   "identifier": "BN 2024/0113",
 *   "creator": "Byggnadsnämnden, Exempelby kommun",
 *   "dates": { "created": "2024-01-15", "end": "2024-03-04T10:15:00+01:00" },
 *   "classification": "3.1.2",
 *   "archiveCreator": { "name": "Byggnadsnämnden", "referenceCode": "SE/EXK/BN", "identificationCode": "212000-0000" },
 *   "language": ["sv"]
 * }
 * ```
 *
 * Every key is optional; unknown keys are errors so that a typo ("titel") is caught instead of ignored.
 */
import { z } from 'zod';
import { type DescriptiveMetadata, REFERENCE_CODE } from '../model/package.js';

/** Name of the metadata file at the root of a record folder. */
export const RECORD_JSON_NAME = 'record.json';

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))?)?$/;

/**
 * True for a calendar date `YYYY-MM-DD` or a date-time `YYYY-MM-DDThh:mm[:ss[.fraction]][Z|±hh:mm]` that exists
 * (no 2023-02-29, no 24:00).
 */
export function isIsoDateOrDateTime(value: string): boolean {
  const m = ISO_DATE_TIME.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  if (month < 1 || month > 12 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return false;
  if (m[4] === undefined) return true;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59) return false;
  return m[8] === undefined || (Number(m[8]) <= 23 && Number(m[9]) <= 59);
}

const text = z
  .string()
  .refine((s) => s.trim() !== '', { message: 'must not be empty' })
  .refine((s) => !s.includes('\u0000'), { message: 'must not contain NUL' });

const isoDate = z.string().refine(isIsoDateOrDateTime, {
  message:
    'expected an ISO 8601 date (YYYY-MM-DD) or date-time (YYYY-MM-DDThh:mm:ss with optional Z or ±hh:mm)',
});

/** A language tag starting with an ISO 639 code, e.g. "sv", "smj", "en-GB". */
const languageCode = z.string().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$/, {
  message: 'expected an ISO 639 language code such as "sv" or "fi"',
});

/** The zod schema of `record.json`. Output fits {@link DescriptiveMetadata} except that `title` may be absent. */
export const recordJsonSchema = z.strictObject({
  title: text.optional(),
  identifier: text.optional(),
  creator: text.optional(),
  dates: z
    .strictObject({
      created: isoDate.optional(),
      modified: isoDate.optional(),
      start: isoDate.optional(),
      end: isoDate.optional(),
    })
    .optional(),
  description: text.optional(),
  accessRestriction: text.optional(),
  classification: text.optional(),
  archiveCreator: z
    .strictObject({
      name: text,
      referenceCode: z
        .string()
        .regex(REFERENCE_CODE, {
          message: 'expected a NAD-style reference code SE/<institution>/<id>, e.g. "SE/EXK/BN"',
        })
        .optional(),
      identificationCode: text.optional(),
    })
    .optional(),
  language: z.array(languageCode).optional(),
  subject: z.array(text).optional(),
  recordType: text.optional(),
  retentionRule: text.optional(),
});

/** Metadata from `record.json`; the source falls back to the folder name when `title` is absent. */
export type RecordJson = Omit<DescriptiveMetadata, 'title'> & { title?: string };

/** Parsed metadata, or every problem found (a record with any of them is rejected). */
export type RecordJsonResult = { ok: true; metadata: RecordJson } | { ok: false; problems: string[] };

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses the raw bytes of a `record.json` (UTF-8, an optional BOM is allowed). On failure returns every
 * problem found, each prefixed with the JSON path it concerns, e.g. `dates.created: expected an ISO 8601 ...`.
 */
export function parseRecordJson(bytes: Uint8Array): RecordJsonResult {
  let textContent: string;
  try {
    textContent = STRICT_UTF8.decode(bytes);
  } catch {
    return { ok: false, problems: ['not valid UTF-8'] };
  }
  let value: unknown;
  try {
    value = JSON.parse(textContent);
  } catch (err) {
    return { ok: false, problems: [`not valid JSON (${err instanceof Error ? err.message : String(err)})`] };
  }
  const result = recordJsonSchema.safeParse(value);
  if (!result.success) {
    return { ok: false, problems: result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`) };
  }
  return { ok: true, metadata: result.data };
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}
