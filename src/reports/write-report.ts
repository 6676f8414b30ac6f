import fs from 'node:fs/promises';
import path from 'node:path';
import type { RunItem, RunRecord } from '../catalog/types.js';
import { renderRunHtml } from './run-html.js';

export interface ReportWriter {
  /** Writes `<run id>.json` and `<run id>.html`; returns their paths. */
  write(run: RunRecord, items: RunItem[]): Promise<string[]>;
}

/** The JSON form of a run report: what machines read. The HTML form is rendered from the same object. */
export interface RunReport {
  report: 'bevara-run-report';
  version: 1;
  run: RunRecord;
  items: RunItem[];
}

export function createReportWriter(options: { dir: string }): ReportWriter {
  return {
    async write(run, items) {
      await fs.mkdir(options.dir, { recursive: true });
      const report: RunReport = { report: 'bevara-run-report', version: 1, run, items };
      const json = path.join(options.dir, `${run.id}.json`);
      const html = path.join(options.dir, `${run.id}.html`);
      await writeAtomic(json, `${JSON.stringify(report, null, 2)}\n`);
      await writeAtomic(html, renderRunHtml(report));
      return [json, html];
    },
  };
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const temp = `${file}.tmp`;
  await fs.writeFile(temp, text, { flush: true });
  await fs.rename(temp, file);
}
