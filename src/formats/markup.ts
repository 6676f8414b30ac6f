/**
 * Markup and rich text: RTF (`{\rtf1\ansi…` as in PRONOM's generic RTF signature), XML (`<?xml version="1.0"`
 * at the start, after an optional UTF-8 BOM) and HTML (HTML5 doctype, HTML 4.01 doctype, or PRONOM's generic HTML
 * signature: `<html` in the first 1024 bytes and `</html>` or `</body>` in the last 1024).
 */
import type { RetainedBytes } from './byte-window.js';
import { pronom, unregistered } from './registry.js';
import type { FormatIdentification } from './types.js';

export function identifyRtf(head: Buffer): FormatIdentification | undefined {
  const start = head.toString('latin1', 0, 16);
  if (!start.startsWith('{\\rtf')) return undefined;
  if (/^\{\\rtf1?\\(ansi|mac|pca|pc)/.test(start)) {
    return pronom(
      'fmt/45',
      'RTF header {\\rtf1 with character set control word (PRONOM generic RTF signature)',
    );
  }
  return unregistered(
    'application/rtf',
    'RTF header {\\rtf without a character set control word',
    'Rich Text Format',
  );
}

export function identifyXml(head: Buffer): FormatIdentification | undefined {
  const start = head.toString('utf8', head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0, 64);
  if (!start.startsWith('<?xml')) return undefined;
  const version = /^<\?xml\s+version\s*=\s*["']([0-9.]+)["']/.exec(start)?.[1];
  if (version === '1.0') return pronom('fmt/101', 'XML declaration <?xml version="1.0" at start');
  return unregistered('application/xml', `XML declaration at start, version ${version ?? 'missing'}`);
}

const HTML5 = /<!doctype\s+html(\s+system\s+["']about:legacy-compat["'])?\s*>/i;
const HTML401 = /<!doctype\s+html\s+public\s+"-\/\/[^/]{1,16}\/\/dtd\s[^"]{0,64}html\s+4\.01/i;

export function identifyHtml(bytes: RetainedBytes): FormatIdentification | undefined {
  const start = bytes.head.toString('latin1', 0, 1024);
  if (HTML5.test(start)) return pronom('fmt/471', 'HTML5 doctype <!DOCTYPE html> in the first 1024 bytes');
  if (HTML401.test(start)) return pronom('fmt/100', 'HTML 4.01 doctype in the first 1024 bytes');
  if (!/<html/i.test(start)) return undefined;
  const end = bytes.tail.toString('latin1', Math.max(0, bytes.tail.length - 1024));
  if (/<\/(html|body)>/i.test(end))
    return pronom('fmt/96', '<html> in the first 1024 bytes, </html> or </body> in the last');
  return unregistered('text/html', '<html> in the first 1024 bytes, but no </html> or </body> near the end');
}
