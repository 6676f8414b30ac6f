/**
 * The quarantine through the console: a job with a quarantine folder run from the API refuses a broken record;
 * the API and the page show it with rule and file; discard without confirmation and a release over a newcomer
 * are refused with their rules; a release puts it back, once, and the next run archives it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuarantineEntry } from '../../src/quarantine/entries.js';
import { type Console, addRoleUsers, login, type Session, startConsole, tempDir, until } from './harness.js';

describe('quarantine in the console', () => {
  let c: Console;
  let archivist: Session;
  let reader: Session;
  let inbox: string;
  let quarantine: string;

  const runJob = async () => {
    const res = await archivist.fetch('/api/jobs/inkorg/run', { method: 'POST' });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    return until(async () => {
      const view = (await (await reader.fetch(`/api/runs/${encodeURIComponent(id)}`)).json()) as {
        status: string;
        counts: Record<string, number>;
      };
      return view.status === 'running' ? undefined : view;
    });
  };

  beforeAll(async () => {
    c = await startConsole();
    await addRoleUsers(c.ctx);
    [archivist, reader] = await Promise.all([login(c.url, 'archivist'), login(c.url, 'reader')]);
    const root = tempDir('quarantine');
    inbox = path.join(root, 'inkorg');
    quarantine = path.join(root, 'karantän');
    fs.mkdirSync(path.join(inbox, 'Trasig <ärende>'), { recursive: true });
    fs.writeFileSync(path.join(inbox, 'Trasig <ärende>', 'record.json'), '{"title": ');
    fs.writeFileSync(path.join(inbox, 'Trasig <ärende>', 'brev.txt'), 'Hej!\n');
    const added = await archivist.fetch('/api/jobs', {
      method: 'POST',
      json: { name: 'inkorg', source: `folder:${inbox}`, quarantine },
    });
    expect(added.status).toBe(201);
  });
  afterAll(async () => c.close());

  it('lists the refused record with rule, file and where it went; the page shows the same, escaped', async () => {
    const run = await runJob();
    expect(run).toMatchObject({ status: 'completed-with-failures', counts: { rejected: 1 } });
    const list = (await (await reader.fetch('/api/quarantine')).json()) as QuarantineEntry[];
    expect(list).toHaveLength(1);
    const [entry] = list as [QuarantineEntry];
    expect(entry).toMatchObject({ job: 'inkorg', record: 'Trasig <ärende>', place: { kind: 'moved' } });
    expect(entry.problems).toEqual([
      expect.objectContaining({ rule: 'record-json-invalid', file: 'record.json' }),
    ]);
    expect(path.dirname(entry.place.path)).toBe(quarantine);
    const page = await (await reader.fetch('/quarantine?lang=en')).text();
    expect(page).toContain('Trasig &#60;ärende&#62;');
    expect(page).not.toContain('Trasig <ärende>');
    expect(page).toContain('record-json-invalid');
    // A reader sees the page without the forms.
    expect(page).not.toContain('/release"');
    const forms = await (await archivist.fetch('/quarantine')).text();
    expect(forms).toContain(`action="/quarantine/${entry.id}/release"`);
    const report = await reader.fetch(`/quarantine/${entry.id}/report`);
    expect(report.status).toBe(200);
    expect(report.headers.get('content-security-policy')).toContain("default-src 'none'");
    await report.body?.cancel();
  });

  it('refuses a discard without confirmation and a release over a newcomer, each with its rule', async () => {
    const [entry] = (await (await reader.fetch('/api/quarantine')).json()) as [QuarantineEntry];
    const unconfirmed = await archivist.fetch(`/api/quarantine/${entry.id}/discard`, {
      method: 'POST',
      json: { reason: 'skräp' },
    });
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.headers.get('content-type')).toContain('application/problem+json');
    expect(((await unconfirmed.json()) as { rule: string }).rule).toBe('quarantine-confirm');
    fs.mkdirSync(path.join(inbox, 'Trasig <ärende>'));
    fs.writeFileSync(path.join(inbox, 'Trasig <ärende>', 'ny.txt'), 'ny\n');
    const conflict = await archivist.fetch(`/api/quarantine/${entry.id}/release`, {
      method: 'POST',
      json: {},
    });
    expect(conflict.status).toBe(422);
    expect(((await conflict.json()) as { rule: string }).rule).toBe('quarantine-release-conflict');
    expect(fs.readdirSync(path.join(inbox, 'Trasig <ärende>'))).toEqual(['ny.txt']);
    expect(fs.existsSync(entry.place.path)).toBe(true);
    fs.rmSync(path.join(inbox, 'Trasig <ärende>'), { recursive: true });
    const missing = await archivist.fetch('/api/quarantine/0123456789ab/release', {
      method: 'POST',
      json: {},
    });
    expect(missing.status).toBe(404);
  });

  it('releases the record back to the inbox once, recorded with who; the next run archives it once fixed', async () => {
    const [entry] = (await (await reader.fetch('/api/quarantine')).json()) as [QuarantineEntry];
    fs.writeFileSync(path.join(entry.place.path, 'record.json'), '{"title": "Lagad"}');
    const res = await archivist.fetch(`/api/quarantine/${entry.id}/release`, {
      method: 'POST',
      json: { reason: 'record.json lagad' },
    });
    expect(res.status).toBe(200);
    const decided = (await res.json()) as { by: string; changed: boolean; runId: string };
    expect(decided).toMatchObject({ by: 'archivist', changed: true });
    expect(fs.readdirSync(path.join(inbox, 'Trasig <ärende>')).sort()).toEqual(['brev.txt', 'record.json']);
    const twice = await archivist.fetch(`/api/quarantine/${entry.id}/release`, { method: 'POST', json: {} });
    expect(await twice.json()).toMatchObject({ changed: false, runId: decided.runId });
    expect(await (await reader.fetch('/api/quarantine')).json()).toEqual([]);
    const detail = (await (await reader.fetch(`/api/quarantine/${entry.id}`)).json()) as {
      decision: { decision: string; by: string; reason: string };
    };
    expect(detail.decision).toMatchObject({
      decision: 'release',
      by: 'archivist',
      reason: 'record.json lagad',
    });
    const run = await runJob();
    expect(run).toMatchObject({ status: 'succeeded', counts: { archived: 1, rejected: 0 } });
  });
});
