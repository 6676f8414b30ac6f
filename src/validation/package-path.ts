/**
 * Paths inside a package: checking names read from a ZIP or a folder, and resolving the xlink:href values of a
 * METS file to a path inside the package without ever leaving it.
 */
import { posix } from 'node:path';
import { ValidationError } from '../errors.js';

/**
 * Checks one entry name read from a package (a ZIP entry, with "/" separators; folder entries end in "/") and
 * returns it without the trailing slash. Refuses absolute names, drive letters, backslashes, control characters
 * and `.`/`..`/empty segments: such a package is not read at all (rule `zip-unsafe-path`).
 */
export function checkEntryName(name: string, archive: string): string {
  const refuse = (why: string): never => {
    throw new ValidationError(
      'zip-unsafe-path',
      `[validate] ${archive}: entry ${JSON.stringify(name)} refused: ${why}; the package is not read`,
      { file: name },
    );
  };
  const trimmed = name.endsWith('/') ? name.slice(0, -1) : name;
  if (trimmed === '') refuse('empty name');
  if (name.startsWith('/')) refuse('absolute path');
  if (/^[A-Za-z]:/.test(name)) refuse('drive letter');
  if (name.includes('\\')) refuse('backslash in name');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) refuse('control character in name');
  for (const segment of trimmed.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') refuse(`path segment "${segment}"`);
  }
  return trimmed;
}

/** Result of resolving an href: a package path, or why it cannot be one. */
export type HrefTarget = { path: string; candidates: string[] } | { error: string };

/**
 * Resolves an xlink:href of a METS file at `metsPath` to candidate paths inside the package, most literal first:
 * the href as written, percent-decoded, and form-decoded ("+" as space, which some tools write). A `file:`
 * scheme is dropped; other schemes (http:, https:, urn:) are not files in the package. Paths that climb out of
 * the package root are refused.
 */
export function resolveHref(href: string, metsPath: string): HrefTarget {
  let value = href.trim();
  if (value === '') return { error: 'empty href' };
  if (/^file:/i.test(value)) value = value.replace(/^file:(\/\/)?/i, '');
  else if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value))
    return { error: `href "${href}" is not a path in the package` };
  const base = posix.dirname(metsPath);
  const forms = [value];
  const decoded = safeDecode(value);
  if (decoded !== undefined) forms.push(decoded);
  const formDecoded = safeDecode(value.replaceAll('+', ' '));
  if (formDecoded !== undefined) forms.push(formDecoded);
  const candidates: string[] = [];
  for (const form of forms) {
    if (form.startsWith('/') || form.includes('\\'))
      return { error: `href "${href}" is not a relative path` };
    const joined = posix.normalize(posix.join(base, form));
    if (joined === '..' || joined.startsWith('../')) {
      return { error: `href "${href}" points outside the package` };
    }
    const cleaned = joined.replace(/^\.\//, '');
    if (!candidates.includes(cleaned)) candidates.push(cleaned);
  }
  return { path: candidates[0] as string, candidates };
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
