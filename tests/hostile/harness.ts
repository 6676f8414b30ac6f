/**
 * The red-team harness: every hostile case runs the real `bevara` binary in a world of its own and proves the
 * same four things afterwards:
 * - the exit status and the refusal (rule id, record and file named) are what the case expects;
 * - nothing outside the data folder and the inbox changed (a snapshot of the whole world, with canary files
 *   beside both, before and after);
 * - the catalog is still consistent (`PRAGMA integrity_check`) and a full audit is clean with no orphans.
 * Inputs are generated here or by the test, never checked in.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import type { RunItem } from '../../src/catalog/types.js';
import { bevara, type CliResult, snapshot, tempDir } from '../e2e/helpers.js';

export interface HostileWorld {
  /** The temporary folder holding everything below; removed by `dispose`. */
  root: string;
  /** Where records are delivered. */
  inbox: string;
  /** bevara's data folder (catalog, local store, reports, quarantine). */
  data: string;
  /** A folder beside both that no command may touch. */
  outside: string;
  /** Snapshot of everything in `root` but `data` (and `inbox`, unless `includeInbox`). */
  snapshotOutside(options?: { includeInbox?: boolean }): Record<string, string>;
  dispose(): void;
}

/** A fresh world: inbox, data folder, and canary files beside them and in the folder above the inbox. */
export function hostileWorld(name: string): HostileWorld {
  const root = tempDir(`hostile-${name}`);
  const inbox = path.join(root, 'inbox');
  const data = path.join(root, 'data');
  const outside = path.join(root, 'outside');
  fs.mkdirSync(inbox);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'canary.txt'), 'must never change\n');
  fs.writeFileSync(path.join(root, 'canary-beside-inbox.txt'), 'must never change\n');
  return {
    root,
    inbox,
    data,
    outside,
    snapshotOutside(options = {}) {
      const all = snapshot(root);
      const skip = [data, ...(options.includeInbox ? [] : [inbox])];
      return Object.fromEntries(
        Object.entries(all).filter(([p]) => !skip.some((s) => p === s || p.startsWith(`${s}/`))),
      );
    },
    dispose: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

export interface IngestReport {
  status: string;
  archived: number;
  unchanged: number;
  rejected: number;
  failed: number;
  waiting: number;
  items: RunItem[];
  reports: string[];
  runId: string;
}

/** Parses `bevara --json ingest` output, failing with the process's stderr when it is not JSON. */
export function ingestReport(result: CliResult): IngestReport {
  expect(
    result.stdout.trimStart().startsWith('{'),
    `no JSON on stdout; stderr:\n${result.stderr.slice(-3000)}`,
  ).toBe(true);
  return JSON.parse(result.stdout) as IngestReport;
}

interface Problem {
  rule: string;
  file?: string;
  message: string;
}

/** The refusal of one record: its item is rejected and names the rule (and the file, when given). */
export function expectRefused(report: IngestReport, record: string, rule: string, file?: string): Problem {
  const item = report.items.find((i) => i.subject === record);
  expect(
    item,
    `no run item for record "${record}" in ${JSON.stringify(report.items.map((i) => i.subject))}`,
  ).toBeDefined();
  expect(item?.status).toBe('rejected');
  const problems = (item?.details?.problems ?? []) as Problem[];
  const match = problems.find((p) => p.rule === rule);
  expect(match, `rule ${rule} not among ${JSON.stringify(problems)}`).toBeDefined();
  if (file !== undefined) expect(match?.file).toBe(file);
  return match as Problem;
}

/** The catalog file passes SQLite's integrity check and a full audit of every copy is clean, with no orphans. */
export function expectArchiveConsistent(data: string): void {
  const file = path.join(data, 'catalog.sqlite');
  if (fs.existsSync(file)) {
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  }
  const audit = bevara(data, ['--json', 'audit', '--all']);
  expect(audit.code, `audit --all failed:\n${audit.stdout.slice(-2000)}\n${audit.stderr.slice(-2000)}`).toBe(
    0,
  );
  const summary = JSON.parse(audit.stdout) as { orphans?: unknown[]; summary?: { orphans?: number } };
  const orphans = Array.isArray(summary.orphans) ? summary.orphans.length : (summary.summary?.orphans ?? 0);
  expect(orphans).toBe(0);
}
