/**
 * Retrying a record of a run from the console: refused for records that did not end the run failed or waiting
 * (rule each), and for a failed one a new run of the job that archives it. The failed state is set through the
 * catalog's own record API, as the engine sets it when a location refuses a write for good.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Console, addRoleUsers, login, type Session, startConsole, tempDir, until } from './harness.js';

describe('retrying a record of a run', () => {
  let c: Console;
  let archivist: Session;
  let reader: Session;
  let inbox: string;
  let firstRun: string;

  const finished = (id: string) =>
    until(async () => {
      const view = (await (await reader.fetch(`/api/runs/${encodeURIComponent(id)}`)).json()) as {
        status: string;
        counts: Record<string, number>;
        problems: { subject: string; status: string }[];
      };
      return view.status === 'running' ? undefined : view;
    });
  const retry = (run: string, record: unknown) =>
    archivist.fetch(`/api/runs/${encodeURIComponent(run)}/retry`, { method: 'POST', json: { record } });

  beforeAll(async () => {
    c = await startConsole();
    await addRoleUsers(c.ctx);
    [archivist, reader] = await Promise.all([login(c.url, 'archivist'), login(c.url, 'reader')]);
    inbox = path.join(tempDir('retry'), 'inkorg');
    fs.mkdirSync(path.join(inbox, 'Hel'), { recursive: true });
    fs.writeFileSync(path.join(inbox, 'Hel', 'brev.txt'), 'Hej!\n');
    fs.mkdirSync(path.join(inbox, 'Tom'));
    const added = await archivist.fetch('/api/jobs', {
      method: 'POST',
      json: { name: 'inkorg', source: `folder:${inbox}` },
    });
    expect(added.status).toBe(201);
    const res = await archivist.fetch('/api/jobs/inkorg/run', { method: 'POST' });
    firstRun = ((await res.json()) as { id: string }).id;
    expect(await finished(firstRun)).toMatchObject({ counts: { archived: 1, rejected: 1 } });
  });
  afterAll(async () => c.close());

  it('refuses records that are archived or refused, unknown runs and a missing record name, each with its rule', async () => {
    const archived = await retry(firstRun, 'Hel');
    expect(archived.status).toBe(422);
    expect(((await archived.json()) as { rule: string }).rule).toBe('retry-not-retryable');
    const refused = await retry(firstRun, 'Tom');
    const told = (await refused.json()) as { rule: string; detail: string };
    expect(told.rule).toBe('retry-not-retryable');
    expect(told.detail).toContain('quarantine');
    expect((await retry('ingest-ingen', 'Hel')).status).toBe(404);
    expect(((await (await retry(firstRun, 42)).json()) as { rule: string }).rule).toBe('retry-record');
  });

  it('retries a failed record: a new run of its job archives it; the run page offers the button', async () => {
    fs.mkdirSync(path.join(inbox, 'Ny'));
    fs.writeFileSync(path.join(inbox, 'Ny', 'brev.txt'), 'Ny!\n');
    const { catalog } = c.ctx;
    const now = new Date();
    await catalog.discoverRecords('inkorg', firstRun, [{ sourceKey: 'Ny' }], now);
    expect(
      await catalog.claimRecord('inkorg', 'Ny', 'test', new Date(now.getTime() + 60_000), now),
    ).not.toBeNull();
    expect(
      await catalog.advanceRecord(
        'inkorg',
        'Ny',
        'test',
        { state: 'failed', reason: 'location refused the write' },
        now,
      ),
    ).toBe(true);
    await catalog.addRunItems([
      { runId: firstRun, subject: 'Ny', status: 'failed', message: 'location refused the write' },
    ]);

    const page = await (await archivist.fetch(`/runs/${encodeURIComponent(firstRun)}?lang=en`)).text();
    expect(page).toContain('aria-label="Retry: Ny"');
    expect(page).not.toContain('aria-label="Retry: Tom"');
    const readerPage = await (await reader.fetch(`/runs/${encodeURIComponent(firstRun)}?lang=en`)).text();
    expect(readerPage).not.toContain('Retry: Ny');

    const res = await retry(firstRun, 'Ny');
    expect(res.status).toBe(202);
    const next = ((await res.json()) as { id: string }).id;
    expect(next).not.toBe(firstRun);
    const done = await finished(next);
    expect(done.counts).toMatchObject({ archived: 1, unchanged: 1 });
    const states = await catalog.listRecordStates({ job: 'inkorg', runId: next });
    expect(states.find((s) => s.sourceKey === 'Ny')?.state).toBe('released');
    // Once archived it is no longer the failed record of the first run.
    expect((await retry(firstRun, 'Ny')).status).toBe(422);
  });
});
