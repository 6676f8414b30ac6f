import fs from 'node:fs/promises';
import path from 'node:path';
import type { EventRecord } from '../model/package.js';
import type { RunItem, RunRecord, RunStatus } from '../model/run.js';
import { maskUrlText } from '../config/mask.js';
import { renderPremisEventLog } from './premis-log.js';
import { renderRunHtml } from './run-html.js';

/** Language of the labels in HTML reports (config `language`). */
export type ReportLanguage = 'sv' | 'en';

/** How far one location's copies were verified within its audit period, as of the end of a run. */
export interface LocationCoverage {
  location: string;
  /** The location's audit period in days (policy `every`). */
  periodDays: number;
  copies: number;
  /** Copies verified within the period. */
  withinPolicy: number;
  /** The copy that waited longest since its last successful verification. */
  oldest?: { packageId: string; key: string; lastVerifiedAt?: Date; waitedDays: number };
}

/** One earlier run of the same kind, for the trend table. */
export interface TrendPoint {
  runId: string;
  startedAt: Date;
  finishedAt?: Date;
  status: RunStatus;
  /** Counters from the run summary (copies, verified, failed, missing, repaired, orphans, bytes, durationMs). */
  summary: Record<string, unknown>;
}

/** What a run adds to its report beyond the run and its items (audits: coverage, trend, PREMIS events). */
export interface ReportExtras {
  coverage?: LocationCoverage[];
  trend?: TrendPoint[];
  /** PREMIS events recorded during the run; written as a PREMIS XML event log beside the JSON and HTML. */
  events?: EventRecord[];
}

export interface ReportWriter {
  /**
   * Writes `<run id>.json`, `<run id>.html` and, with at least one event in `extras.events`, `<run id>.premis.xml`;
   * returns their paths in that order. Each file is written to a temporary name and renamed into place.
   */
  write(run: RunRecord, items: RunItem[], extras?: ReportExtras): Promise<string[]>;
}

/** The JSON form of a run report: what machines read. The HTML form is rendered from the same object. */
export interface RunReport extends ReportExtras {
  report: 'bevara-run-report';
  version: 2;
  language: ReportLanguage;
  run: RunRecord;
  items: RunItem[];
}

/**
 * A writer of run reports into `options.dir` (created when missing), labels in `options.language` (default
 * English).
 */
export function createReportWriter(options: { dir: string; language?: ReportLanguage }): ReportWriter {
  return {
    async write(run, items, extras = {}) {
      await fs.mkdir(options.dir, { recursive: true });
      const report: RunReport = {
        report: 'bevara-run-report',
        version: 2,
        language: options.language ?? 'en',
        run,
        items,
        ...extras,
      };
      const json = path.join(options.dir, `${run.id}.json`);
      const html = path.join(options.dir, `${run.id}.html`);
      await writeAtomic(json, `${JSON.stringify(report, null, 2)}\n`);
      await writeAtomic(html, renderRunHtml(report));
      if (!extras.events || extras.events.length === 0) return [json, html];
      const premis = path.join(options.dir, `${run.id}.premis.xml`);
      await writeAtomic(premis, renderPremisEventLog(extras.events, { runId: run.id }));
      return [json, html, premis];
    },
  };
}

/**
 * Writes `text` with every URL in it masked (a storage or alert error may quote one with its password or token),
 * readable by the owner and, when bevara's umask allows it (`access: group`), the group: never by others.
 */
async function writeAtomic(file: string, text: string): Promise<void> {
  const temp = `${file}.tmp`;
  await fs.writeFile(temp, maskUrlText(text), { flush: true, mode: 0o640 });
  await fs.rename(temp, file);
}
