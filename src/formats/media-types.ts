/**
 * IANA media types: the registry list vendored in `profiles/iana-media-types.txt` (dated, with its origin in the
 * header; `scripts/refresh-iana-media-types.mjs` rewrites it) and the syntax of a media type value with
 * parameters (RFC 2045 §5.1, RFC 6838 §4.2): `type "/" subtype *( OWS ";" OWS token "=" ( token / quoted-string ) )`.
 * Type, subtype and parameter names compare case-insensitively; parameter values are kept as written.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The vendored registry list shipped with bevara (works from src/ and dist/). */
export const IANA_MEDIA_TYPES_FILE = fileURLToPath(
  new URL('../../profiles/iana-media-types.txt', import.meta.url),
);

/** What the registry list is and where it came from, from the file's header. */
export interface MediaTypeRegistry {
  has(essence: string): boolean;
  readonly size: number;
  /** Header lines of the list (origin and date), without the leading `#`. */
  readonly about: string;
}

const loaded = new Map<string, MediaTypeRegistry>();

/** Reads a registry list (one `type/subtype` a line, `#` comments), once per file per process. */
export function ianaMediaTypes(file: string = IANA_MEDIA_TYPES_FILE): MediaTypeRegistry {
  const cached = loaded.get(file);
  if (cached) return cached;
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const types = new Set(
    lines.filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => l.trim().toLowerCase()),
  );
  const about = lines
    .filter((l) => l.startsWith('# Origin:') || l.startsWith('# Written:'))
    .map((l) => l.slice(2))
    .join('; ');
  const registry: MediaTypeRegistry = { has: (e) => types.has(e.toLowerCase()), size: types.size, about };
  loaded.set(file, registry);
  return registry;
}

/** A parsed media type value. `essence` is `type/subtype` in lower case. */
export interface MediaType {
  type: string;
  subtype: string;
  essence: string;
  parameters: [string, string][];
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const ESSENCE = new RegExp(`^(${TOKEN})/(${TOKEN})`);
const PARAMETER = new RegExp(`^[ \\t]*;[ \\t]*(${TOKEN})=(${TOKEN}|"(?:[^"\\\\\\r\\n]|\\\\.)*")`);

/** Parses `value` as a media type with optional parameters; an error names what is wrong. */
export function parseMediaType(value: string): MediaType | { error: string } {
  const head = ESSENCE.exec(value);
  if (!head) return { error: 'not of the form type/subtype' };
  const type = (head[1] as string).toLowerCase();
  const subtype = (head[2] as string).toLowerCase();
  const parameters: [string, string][] = [];
  let rest = value.slice(head[0].length);
  while (rest.trim() !== '') {
    const match = PARAMETER.exec(rest);
    if (!match) return { error: `a malformed parameter "${rest.trim()}" (RFC 2045: ; name=value)` };
    parameters.push([(match[1] as string).toLowerCase(), match[2] as string]);
    rest = rest.slice(match[0].length);
  }
  return { type, subtype, essence: `${type}/${subtype}`, parameters };
}

/** Why `value` is not a registered media type, or undefined when it is one (parameters allowed). */
export function mediaTypeProblem(value: string, registry = ianaMediaTypes()): string | undefined {
  const parsed = parseMediaType(value);
  if ('error' in parsed) return `is not a media type: ${parsed.error}`;
  if (!registry.has(parsed.essence))
    return `is not an IANA media type ("${parsed.essence}" is not in the registry)`;
  return undefined;
}

/**
 * The media type a package writer records for a file: `value` itself when it is registered and has no
 * parameters, its essence when it has parameters (validators that compare with the registry list compare the
 * whole value), and `application/octet-stream` when the type is not registered (e.g. PRONOM's `audio/x-wav`).
 */
export function registeredMediaType(value: string, registry = ianaMediaTypes()): string {
  const parsed = parseMediaType(value);
  if ('error' in parsed || !registry.has(parsed.essence)) return 'application/octet-stream';
  return parsed.parameters.length === 0 && value === parsed.essence ? value : parsed.essence;
}
