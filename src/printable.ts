/**
 * Text bound for a terminal with its control characters written visibly. Names, titles and descriptions come from
 * records (bag-info.txt, record.json, file names), and an escape sequence in them must not reach the operator's
 * terminal, where it could rewrite the screen, set the window title, ring, or hide text. JSON output escapes them
 * by itself and is left exact.
 */

/**
 * C0 and C1 control characters, DEL, and the bidirectional overrides and isolates (which reorder what is shown);
 * newline and tab are handled by the caller's choice of function.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we neutralise
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we neutralise
const CONTROL_OR_BREAK = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `\u001b` for ESC, `\u202e` for a right-to-left override: as JSON and bevara's messages write them. */
function visible(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Lines of human output: every control character but newline and tab written visibly (`\u001b`). */
export function printable(text: string): string {
  return text.replace(CONTROL, visible);
}

/**
 * One line of human output, such as a table cell or a labelled field: newline and tab written visibly too, so
 * that a title cannot begin a line of its own that looks like bevara's.
 */
export function printableInline(text: string): string {
  return text.replace(CONTROL_OR_BREAK, visible);
}

/** `value` with every string in it (keys included) made printable, for structured log lines shown to people. */
export function printableDeep(value: unknown): unknown {
  if (typeof value === 'string') return printable(value);
  if (Array.isArray(value)) return value.map(printableDeep);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [printable(k), printableDeep(v)]));
  return value;
}
