/**
 * The receipt of a hand-out: what was handed out (each record, each file with its SHA-256, each DIP or ZIP with
 * its own), to whom, by whom, why and when. Written as JSON for machines and as a small HTML page to print and
 * file with the request.
 */

export interface ReceiptFile {
  path: string;
  size: number;
  sha256: string;
}

export interface ReceiptRecord {
  packageId: string;
  label: string;
  identifier?: string;
  /** The access restriction the record was released under, when it has one. */
  accessRestriction?: string;
  /** The storage location its files were read from. */
  location: string;
  /** Every file handed out, verified against the catalogue on the way. */
  files: ReceiptFile[];
  /** The DIP made of it (format `dip`): its id (OBJID), file name, size and SHA-256. */
  dip?: { id: string; file: string; size: number; sha256: string };
  /** The PREMIS dissemination event recorded for it. */
  eventId: string;
}

export interface Receipt {
  exportId: string;
  createdAt: string;
  format: 'dip' | 'folder' | 'zip';
  /** Where the hand-out was written (absolute). */
  output: string;
  by: string;
  requester?: string;
  reason?: string;
  records: ReceiptRecord[];
  /** The ZIP written (format `zip`): its size and SHA-256. */
  zip?: { file: string; size: number; sha256: string };
}

export function receiptJson(receipt: Receipt): string {
  return `${JSON.stringify(receipt, null, 2)}\n`;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

export function receiptHtml(receipt: Receipt): string {
  const e = escapeHtml;
  const row = (cells: string[]) => `<tr>${cells.map((c) => `<td>${e(c)}</td>`).join('')}</tr>`;
  const records = receipt.records.map((r) => {
    const files = r.files.map((f) => row([f.path, String(f.size), f.sha256])).join('\n');
    const dip = r.dip
      ? `<p>DIP ${e(r.dip.file)} (${r.dip.size} bytes), SHA-256 <code>${e(r.dip.sha256)}</code></p>`
      : '';
    return `<h2>${e(r.label)}${r.identifier ? ` (${e(r.identifier)})` : ''}</h2>
<p>Package ${e(r.packageId)}, read from location "${e(r.location)}"${
      r.accessRestriction ? `; <strong>restricted: ${e(r.accessRestriction)}</strong>` : ''
    }; event ${e(r.eventId)}</p>${dip}
<table><thead><tr><th>File</th><th>Bytes</th><th>SHA-256</th></tr></thead><tbody>
${files}
</tbody></table>`;
  });
  const zip = receipt.zip
    ? `<p>ZIP ${e(receipt.zip.file)} (${receipt.zip.size} bytes), SHA-256 <code>${e(receipt.zip.sha256)}</code></p>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Receipt ${e(receipt.exportId)}</title>
<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto}td,th{text-align:left;padding:.2rem .6rem;font-size:.9rem}code,td:last-child{font-family:monospace}</style>
</head><body>
<h1>Records handed out</h1>
<table>
${row(['Receipt', receipt.exportId])}
${row(['Date', receipt.createdAt])}
${row(['Handed out by', receipt.by])}
${row(['To', receipt.requester ?? '—'])}
${row(['Reason', receipt.reason ?? '—'])}
${row(['Format', receipt.format])}
${row(['Records', String(receipt.records.length)])}
</table>${zip}
${records.join('\n')}
</body></html>
`;
}
