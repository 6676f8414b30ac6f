/**
 * Coverage per location over time, for the audits page's chart: the share of each location's copies verified
 * within its audit period at the end of each audit run (kept in the run's summary as `coverage`), oldest first.
 */
import type { RunRecord } from '../../model/run.js';

export interface CoverageTrend {
  /** When each audit run ended (ISO), oldest first. */
  runs: { id: string; at: Date }[];
  /** Per location, its share (0-100 %) at the end of each run; undefined where a run did not report it. */
  locations: { name: string; percent: (number | undefined)[] }[];
}

interface CoverageCell {
  location: string;
  copies: number;
  withinPolicy: number;
}

const cellsOf = (run: RunRecord): CoverageCell[] => {
  const list = run.summary?.coverage;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (c): c is CoverageCell =>
      typeof c?.location === 'string' && typeof c.copies === 'number' && typeof c.withinPolicy === 'number',
  );
};

/** From audit runs in any order; runs without coverage (still running, orphan decisions, older ones) are left out. */
export function coverageTrend(runs: RunRecord[]): CoverageTrend {
  const charted = runs
    .filter((r) => r.finishedAt && cellsOf(r).length > 0)
    .sort((a, b) => (a.finishedAt?.getTime() ?? 0) - (b.finishedAt?.getTime() ?? 0));
  const names = [...new Set(charted.flatMap((r) => cellsOf(r).map((c) => c.location)))].sort();
  return {
    runs: charted.map((r) => ({ id: r.id, at: r.finishedAt as Date })),
    locations: names.map((name) => ({
      name,
      percent: charted.map((r) => {
        const cell = cellsOf(r).find((c) => c.location === name);
        if (!cell) return undefined;
        return cell.copies === 0 ? 100 : (100 * cell.withinPolicy) / cell.copies;
      }),
    })),
  };
}
