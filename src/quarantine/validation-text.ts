import fs from 'node:fs/promises';
import path from 'node:path';
import { REPORT_TEXT } from '../sources/eark-sip/quarantine.js';

/** At most this much of a refused SIP's text validation report is shown (the JSON one beside it has it all). */
export const VALIDATION_TEXT_LIMIT = 64 * 1024;

/** The text validation report kept with a refused SIP's copy (`<dataDir>/quarantine/<key>/`), if there is one. */
export async function readValidationText(sipCopy: string | undefined): Promise<string | undefined> {
  if (!sipCopy) return undefined;
  const handle = await fs
    .open(path.join(sipCopy, REPORT_TEXT), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW)
    .catch(() => null);
  if (!handle) return undefined;
  try {
    const buffer = Buffer.alloc(VALIDATION_TEXT_LIMIT);
    const { bytesRead } = await handle.read(buffer, 0, VALIDATION_TEXT_LIMIT, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
