import { describe, expect, it } from 'vitest';
import { workerState } from '../../../src/http/health.js';
import type { WorkerHealth } from '../../../src/worker/health.js';

const at = (iso: string) => new Date(iso);
const report = (status: WorkerHealth['status'], updatedAt: string): WorkerHealth => ({
  id: 'w-1',
  pid: 1,
  status,
  startedAt: at('2026-01-01T00:00:00Z'),
  updatedAt: at(updatedAt),
  activeRuns: ['r1', 'r2'],
  schedules: ['tick'],
  lastError: 'secret detail',
});

describe('worker state for /healthz and /readyz', () => {
  it('is ok while running and fresh; stale, stopping, stopped or not yet started is not', () => {
    const now = at('2026-01-01T00:01:00Z');
    const probe = (health?: WorkerHealth) => ({ health: () => health, staleMs: 30_000 });
    expect(workerState(probe(report('running', '2026-01-01T00:00:45Z')), now)).toEqual({
      ok: true,
      id: 'w-1',
      status: 'running',
      updatedAt: '2026-01-01T00:00:45.000Z',
      activeRuns: 2,
    });
    expect(workerState(probe(report('running', '2026-01-01T00:00:10Z')), now)).toMatchObject({
      ok: false,
      status: 'stale',
    });
    expect(workerState(probe(report('stopping', '2026-01-01T00:00:59Z')), now).ok).toBe(false);
    expect(workerState(probe(report('stopped', '2026-01-01T00:00:59Z')), now).ok).toBe(false);
    expect(workerState(probe(undefined), now)).toEqual({ ok: false, status: 'starting', activeRuns: 0 });
    expect(JSON.stringify(workerState(probe(report('running', '2026-01-01T00:00:45Z')), now))).not.toContain(
      'secret',
    );
  });
});
