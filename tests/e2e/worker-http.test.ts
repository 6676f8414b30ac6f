import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { login, PASSWORD } from '../http/harness.js';
import { freePort } from '../http/ports.js';
import { copyRecords, createWorkspace, logLines, type Workspace } from './worker-helpers.js';

/**
 * `bevara worker --http`: the console inside the worker process, through the built binary. It answers while the
 * worker runs its schedule, its health follows the worker's, and it is gone when a SIGTERM stops the worker.
 */
describe('bevara worker --http', () => {
  const workspaces: Workspace[] = [];
  afterAll(() => {
    for (const w of workspaces) w.cleanup();
  });

  it('serves the console beside the worker: log in, see the scheduled run, stop on SIGTERM, port closed', async () => {
    const w = createWorkspace('worker-http');
    workspaces.push(w);
    const src = copyRecords(path.join(w.root, 'exports'));
    w.declareJobs({ tick: { source: `folder:${src}`, cron: '*/2 * * * * *' } });
    const passwordFile = path.join(w.root, 'password');
    fs.writeFileSync(passwordFile, `${PASSWORD}\n`);
    const added = await w.cli([
      'users',
      'add',
      'arkivarie',
      '--role',
      'archivist',
      '--password-file',
      passwordFile,
    ]);
    expect(added.code, added.stderr).toBe(0);

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const worker = w.start(['worker', '--id', 'http-1', '--http', `127.0.0.1:${port}`]);
    let stopped = false;
    try {
      const alive = await poll(`${url}/healthz`, 20_000, (r) => r.status === 200);
      const body = (await alive.json()) as { status: string; worker: Record<string, unknown> };
      expect(body).toMatchObject({ status: 'ok', worker: { ok: true, id: 'http-1', status: 'running' } });

      const session = await login(url, 'arkivarie');
      const runs = await poll(
        `${url}/api/runs?job=tick`,
        20_000,
        async (r) => r.status === 200 && ((await r.clone().json()) as unknown[]).length > 0,
        session.cookie,
      );
      const [run] = (await runs.json()) as { job?: string; kind?: string; id: string }[];
      expect(run).toMatchObject({ job: 'tick', kind: 'ingest' });
      const ready = await fetch(`${url}/readyz`);
      expect(((await ready.json()) as { worker?: { id: string } }).worker?.id).toBe('http-1');
      expect(logLines(worker.stderr()).some((l) => l.msg === 'logged in' && l.user === 'arkivarie')).toBe(
        true,
      );

      worker.child.kill('SIGTERM');
      const done = await worker.done;
      stopped = true;
      expect(done.code, done.stderr.slice(-3000)).toBe(0);
      expect(done.stdout).toContain(`bevara console on ${url}/`);
      const lines = logLines(done.stderr);
      const workerStopped = lines.findIndex((l) => l.msg === 'worker stopped');
      expect(workerStopped).toBeGreaterThan(-1);
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    } finally {
      if (!stopped) {
        worker.child.kill('SIGKILL');
        await worker.done;
      }
    }
  });

  it('refuses a port in use before doing any work', async () => {
    const w = createWorkspace('worker-http-busy');
    workspaces.push(w);
    const port = await freePort();
    const first = w.start(['worker', '--id', 'busy-1', '--http', `127.0.0.1:${port}`]);
    try {
      await poll(`http://127.0.0.1:${port}/healthz`, 20_000, (r) => r.status === 200);
      const second = await w.cli(['worker', '--id', 'busy-2', '--http', `127.0.0.1:${port}`]);
      expect(second.code).not.toBe(0);
      expect(second.stderr).toMatch(/EADDRINUSE/);
      expect(logLines(second.stderr).some((l) => l.msg === 'worker started')).toBe(false);
    } finally {
      first.child.kill('SIGTERM');
      expect((await first.done).code).toBe(0);
    }
  });
});

/** Fetches `url` (with `cookie`) until `ok` says so; the last answer, or an error naming the URL. */
async function poll(
  url: string,
  ms: number,
  ok: (res: Response) => boolean | Promise<boolean>,
  cookie?: string,
): Promise<Response> {
  const until = Date.now() + ms;
  let last = 'no answer';
  while (Date.now() < until) {
    try {
      const res = await fetch(url, { headers: cookie ? { cookie } : {} });
      if (await ok(res)) return res;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} not as expected within ${ms} ms: ${last}`);
}
