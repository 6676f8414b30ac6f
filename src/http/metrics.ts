/**
 * `/metrics` in the Prometheus text format: what the catalog holds, read at scrape time, on a registry of this
 * server's own (never prom-client's global one, so that several servers in one process keep apart).
 *
 * Every catalog metric is a gauge (or, for repairs, a counter) whose `collect` reads one snapshot of the catalog:
 * the first collect of a scrape starts the reads (`catalogStats()` and each configured location's coverage), the
 * others of the same scrape share them, and the next scrape reads again. Nothing is kept between scrapes.
 *
 * Labels are bounded by the configuration and the catalog's enumerations (states, statuses, location names);
 * never a package id or a key.
 */
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { coverageOf } from '../audit/coverage.js';
import type { CatalogStats } from '../catalog/types.js';
import type { AppContext } from '../app/context.js';
import type { LocationCoverage } from '../reports/write-report.js';
import { locationPolicyFor } from '../config/audit-schema.js';
import type { ConsoleDeps } from './deps.js';

/** Every metric name starts with this. */
export const METRICS_PREFIX = 'bevara_';

const DAY_SECONDS = 86_400;

/** What one scrape reads from the catalog. */
interface Snapshot {
  stats: CatalogStats;
  coverage: LocationCoverage[];
  /** Seconds the reads took. */
  seconds: number;
}

async function readSnapshot(ctx: AppContext): Promise<Snapshot> {
  const started = process.hrtime.bigint();
  const at = ctx.now();
  const policies = new Map([...ctx.locations.keys()].map((n) => [n, locationPolicyFor(ctx.config.audit, n)]));
  const [stats, coverage] = await Promise.all([
    ctx.catalog.catalogStats(),
    coverageOf(ctx.catalog, policies, at),
  ]);
  return { stats, coverage, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

export interface MetricsOptions {
  /** Add prom-client's process and Node.js metrics (CPU, memory, event loop lag, GC). Default true. */
  processMetrics?: boolean;
}

/**
 * The registry of one server: catalog metrics read at scrape time, and the process's own. Creating it starts
 * nothing but the process metrics' event-loop and GC observers (when asked for).
 */
export function createMetricsRegistry(ctx: AppContext, options: MetricsOptions = {}): Registry {
  const registry = new Registry();
  let current: Promise<Snapshot> | undefined;
  /** The snapshot of the scrape under way: every collect of one `registry.metrics()` starts in the same tick. */
  const snapshot = () => {
    current ??= readSnapshot(ctx).finally(() => {
      current = undefined;
    });
    return current;
  };
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    fill: (set: (labels: Record<L, string>, value: number) => void, s: Snapshot) => void,
  ) =>
    new Gauge<L>({
      name: `${METRICS_PREFIX}${name}`,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const s = await snapshot();
        this.reset();
        fill((labels, value) => this.set(labels, value), s);
      },
    });

  gauge('packages', 'Packages in the catalog by state.', ['state'], (set, { stats }) => {
    for (const p of stats.packages) set({ state: p.state }, p.count);
  });
  gauge(
    'package_bytes',
    'Size of the package ZIPs in bytes, by package state.',
    ['state'],
    (set, { stats }) => {
      for (const p of stats.packages) set({ state: p.state }, p.bytes);
    },
  );
  gauge('files', 'Files (original records) in every package.', [], (set, { stats }) =>
    set({}, stats.files.count),
  );
  gauge('file_bytes', 'Original size of the files in every package, in bytes.', [], (set, { stats }) =>
    set({}, stats.files.bytes),
  );
  gauge('copies', 'Stored copies by location and status.', ['location', 'status'], (set, { stats }) => {
    for (const c of stats.copies) set({ location: c.location, status: c.status }, c.count);
  });
  gauge(
    'copy_bytes',
    'Size of the stored copies in bytes, by location and status.',
    ['location', 'status'],
    (set, { stats }) => {
      for (const c of stats.copies) set({ location: c.location, status: c.status }, c.bytes);
    },
  );
  gauge('runs', 'Runs (ingest, audit) by kind and status.', ['kind', 'status'], (set, { stats }) => {
    for (const r of stats.runs) set({ kind: r.kind, status: r.status }, r.count);
  });
  gauge(
    'job_records',
    'Records of ingest jobs by the state they stand in (waiting: a location was unavailable, the next run retries).',
    ['state'],
    (set, { stats }) => {
      for (const r of stats.records) set({ state: r.state }, r.count);
    },
  );
  new Counter({
    name: `${METRICS_PREFIX}copy_repairs_total`,
    help: 'Copies audits found failed and replaced from a healthy copy (finished audit runs).',
    registers: [registry],
    async collect() {
      const { stats } = await snapshot();
      this.reset();
      this.inc(stats.repairs);
    },
  });
  gauge(
    'audit_period_seconds',
    "The audit policy's period per configured location: every copy is to be verified once within it.",
    ['location'],
    (set, { coverage }) => {
      for (const c of coverage) set({ location: c.location }, c.periodDays * DAY_SECONDS);
    },
  );
  gauge(
    'copies_within_policy',
    'Copies per configured location whose last successful verification is within its audit period.',
    ['location'],
    (set, { coverage }) => {
      for (const c of coverage) set({ location: c.location }, c.withinPolicy);
    },
  );
  gauge(
    'copy_coverage_ratio',
    'Share of a location’s copies verified within its audit period (1 when it holds none).',
    ['location'],
    (set, { coverage }) => {
      for (const c of coverage) set({ location: c.location }, c.copies === 0 ? 1 : c.withinPolicy / c.copies);
    },
  );
  gauge(
    'oldest_unverified_copy_age_seconds',
    'Per location, how long ago the copy verified least recently was last verified (or stored, if never); absent with no copies.',
    ['location'],
    (set, { coverage }) => {
      for (const c of coverage)
        if (c.oldest) set({ location: c.location }, c.oldest.waitedDays * DAY_SECONDS);
    },
  );
  gauge('metrics_catalog_seconds', 'How long this scrape took to read the catalog.', [], (set, s) =>
    set({}, s.seconds),
  );
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: METRICS_PREFIX });
  return registry;
}

/** `GET /metrics`: public when `http.metrics` is `open`, else for any signed-in role. */
export function registerMetrics(app: FastifyInstance, deps: ConsoleDeps): void {
  const registry = createMetricsRegistry(deps.ctx);
  app.addHook('onClose', async () => registry.clear());
  app.get(
    '/metrics',
    { config: { access: deps.options.metrics === 'open' ? 'public' : 'read' } },
    async (_request, reply) => {
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    },
  );
}
