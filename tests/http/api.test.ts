/**
 * The JSON API on SQLite over a real ingest: a job added and run from the API, the run followed to its end, the
 * package found by its diarienummer, files and the package downloaded and checked against their SHA-256,
 * restricted records, audits and their reports, unknown objects and the decision on one.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobFromFlags } from '../../src/jobs/job-spec.js';
import { specContext } from '../../src/jobs/job-actions.js';
import { FIXTURES } from '../e2e/helpers.js';
import { type Console, addRoleUsers, login, type Session, startConsole, tempDir, until } from './harness.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('console API on SQLite', () => {
  let c: Console;
  let archivist: Session;
  let reader: Session;
  let operations: Session;
  let source: string;
  let runId: string;

  beforeAll(async () => {
    c = await startConsole();
    await addRoleUsers(c.ctx);
    [archivist, reader, operations] = await Promise.all([
      login(c.url, 'archivist'),
      login(c.url, 'reader'),
      login(c.url, 'operations'),
    ]);
    source = path.join(tempDir('inbox'), 'inkorg');
    fs.cpSync(FIXTURES, source, { recursive: true });
    // A record large enough to be read in several pieces.
    fs.mkdirSync(path.join(source, 'Ritningar 2024'));
    fs.writeFileSync(path.join(source, 'Ritningar 2024', 'plan.bin'), randomBytes(1_500_000));
  });
  afterAll(async () => c.close());

  it("refuses an invalid job with the CLI's rules and messages, each problem under its field", async () => {
    const body = { name: 'Fel Namn', source: 'ftp:/x', cron: '61 * * * *', afterSuccess: 'move:' };
    const res = await archivist.fetch('/api/jobs', { method: 'POST', json: body });
    expect(res.status).toBe(422);
    const told = (await res.json()) as {
      rule: string;
      detail: string;
      errors: { field: string; rule: string }[];
    };
    let cli: Error | undefined;
    try {
      jobFromFlags(
        'Fel Namn',
        { source: 'ftp:/x', cron: '61 * * * *', afterSuccess: 'move:' },
        specContext(c.ctx),
      );
    } catch (err) {
      cli = err as Error;
    }
    expect(told.detail).toBe(cli?.message);
    expect(told.rule).toBe((cli as { rule?: string }).rule);
    expect(told.errors.map((e) => e.field)).toEqual(['name', 'source', 'cron', 'afterSuccess']);
    expect(told.errors.map((e) => e.rule)).toEqual([
      'job-name',
      'job-source',
      'job-cron',
      'job-after-success',
    ]);
  });

  it('adds a job, refuses the name twice, pauses and resumes it', async () => {
    const added = await archivist.fetch('/api/jobs', {
      method: 'POST',
      json: { name: 'inkorg', source: `folder:${source}`, cron: '0 2 * * *' },
    });
    expect(added.status).toBe(201);
    expect(await added.json()).toMatchObject({ name: 'inkorg', enabled: true, origin: 'cli' });
    const again = await archivist.fetch('/api/jobs', {
      method: 'POST',
      json: { name: 'inkorg', source: `folder:${source}` },
    });
    expect(((await again.json()) as { rule: string }).rule).toBe('job-exists');
    expect(await (await archivist.fetch('/api/jobs/inkorg/pause', { method: 'POST' })).json()).toMatchObject({
      enabled: false,
    });
    expect(await (await archivist.fetch('/api/jobs/inkorg/resume', { method: 'POST' })).json()).toMatchObject(
      { enabled: true },
    );
    const jobs = (await (await reader.fetch('/api/jobs')).json()) as { name: string; lastRun: unknown }[];
    expect(jobs).toEqual([expect.objectContaining({ name: 'inkorg', lastRun: null })]);
  });

  it('runs the job now in the background; the run tells its progress and who started it, and finishes', async () => {
    const res = await archivist.fetch('/api/jobs/inkorg/run', { method: 'POST' });
    expect(res.status).toBe(202);
    runId = ((await res.json()) as { id: string }).id;
    expect(res.headers.get('location')).toBe(`/api/runs/${encodeURIComponent(runId)}`);
    const done = await until(async () => {
      const view = (await (await reader.fetch(`/api/runs/${encodeURIComponent(runId)}`)).json()) as {
        status: string;
      };
      return view.status === 'running' ? undefined : view;
    });
    expect(done).toMatchObject({
      id: runId,
      status: 'succeeded',
      job: 'inkorg',
      startedBy: 'archivist',
      counts: { archived: 4, rejected: 0, failed: 0, waiting: 0 },
      progress: { total: 4, done: 4 },
      problems: [],
    });
    const runs = (await (await reader.fetch('/api/runs?job=inkorg')).json()) as {
      id: string;
      count: number;
    }[];
    expect(runs).toEqual([expect.objectContaining({ id: runId, count: 4, problems: 0 })]);
  });

  it('finds the package by its diarienummer and pages the search', async () => {
    const found = (await (
      await reader.fetch(`/api/packages?identifier=${encodeURIComponent('BN 2024/0113')}`)
    ).json()) as {
      packages: { label: string; metadata: { identifier: string }; copies: { status: string }[] }[];
    };
    expect(found.packages).toHaveLength(1);
    expect(found.packages[0]).toMatchObject({
      label: 'Ansökan om bygglov, Östra Gränd 3',
      copies: [{ location: 'local', status: 'verified' }],
    });
    const first = (await (await reader.fetch('/api/packages?limit=3')).json()) as {
      packages: unknown[];
      next: string;
    };
    expect(first.packages).toHaveLength(3);
    const second = (await (await reader.fetch(`/api/packages?limit=3&after=${first.next}`)).json()) as {
      packages: unknown[];
      next?: string;
    };
    expect(second.packages).toHaveLength(1);
    expect(second.next).toBeUndefined();
    const bad = await reader.fetch('/api/packages?from=2024-13-01');
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { rule: string }).rule).toBe('search-date');
  });

  async function packageOf(identifier: string, by = 'identifier') {
    const page = (await (
      await reader.fetch(`/api/packages?${by}=${encodeURIComponent(identifier)}`)
    ).json()) as {
      packages: { id: string }[];
    };
    const id = page.packages[0]?.id ?? '';
    return (await (await reader.fetch(`/api/packages/${id}`)).json()) as {
      package: { id: string; sha256: string; size: number };
      restricted: boolean;
      files: { path: string; sha256: string; size: number }[];
      events: { type: string; agent: string; object?: string; detail: string }[];
    };
  }

  it('downloads a file and the whole package, each as catalogued, and records who did', async () => {
    const detail = await packageOf('BN 2024/0113');
    expect(detail.restricted).toBe(false);
    const file = detail.files.find((f) => f.path === 'bilagor/fasadritning söder.png');
    expect(file).toBeDefined();
    const res = await reader.fetch(
      `/api/packages/${detail.package.id}/file?path=${encodeURIComponent(file?.path ?? '')}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-disposition')).toContain(
      "filename*=UTF-8''fasadritning%20s%C3%B6der.png",
    );
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(sha256(bytes)).toBe(file?.sha256);
    expect(sha256(bytes)).toBe(
      sha256(fs.readFileSync(path.join(FIXTURES, '2024-0113 Bygglov Östra Gränd 3', file?.path ?? ''))),
    );
    // The whole record is an E-ARK DIP by default, made by the export's code: the file inside is the catalogued one.
    const dip = await reader.fetch(`/api/packages/${detail.package.id}/download`);
    expect(dip.status).toBe(200);
    expect(dip.headers.get('content-disposition')).toMatch(/filename="uuid-[0-9a-f-]+\.zip"/);
    const dipZip = Buffer.from(await dip.arrayBuffer());
    expect(dipZip.includes(Buffer.from('csip:OAISPACKAGETYPE="DIP"'))).toBe(true);
    const png = fs.readFileSync(path.join(FIXTURES, '2024-0113 Bygglov Östra Gränd 3', file?.path ?? ''));
    expect(dipZip.includes(png)).toBe(true);
    const whole = await reader.fetch(`/api/packages/${detail.package.id}/download?format=aip`);
    const zip = new Uint8Array(await whole.arrayBuffer());
    expect(zip.length).toBe(detail.package.size);
    expect(sha256(zip)).toBe(detail.package.sha256);
    expect((await reader.fetch(`/api/packages/${detail.package.id}/download?format=tar`)).status).toBe(422);
    const events = (await packageOf('BN 2024/0113')).events.filter((e) => e.type === 'dissemination');
    expect(events).toEqual([
      expect.objectContaining({ agent: 'person:reader', object: 'bilagor/fasadritning söder.png' }),
      expect.objectContaining({ agent: 'person:reader', detail: expect.stringContaining('E-ARK DIP') }),
      expect.objectContaining({ agent: 'person:reader', detail: expect.stringContaining('stored AIP') }),
    ]);
  });

  it("refuses a restricted record's files to a reader and an operator, and gives them to an archivist", async () => {
    const detail = await packageOf('SN 2024/0257');
    expect(detail.restricted).toBe(true);
    const url = `/api/packages/${detail.package.id}/file?path=${encodeURIComponent('utredning.pdf')}`;
    for (const who of [reader, operations]) {
      const refused = await who.fetch(url);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ rule: 'restricted-download' });
      expect((await who.fetch(`/api/packages/${detail.package.id}/download`)).status).toBe(403);
    }
    const given = await archivist.fetch(url);
    expect(given.status).toBe(200);
    expect(sha256(new Uint8Array(await given.arrayBuffer()))).toBe(
      detail.files.find((f) => f.path === 'utredning.pdf')?.sha256,
    );
    const files = await archivist.fetch(`/api/packages/${detail.package.id}/download?format=zip`);
    expect(files.status).toBe(200);
    const filesZip = Buffer.from(await files.arrayBuffer());
    const pdf = fs.readFileSync(path.join(FIXTURES, '2024-0257 Försörjningsstöd', 'utredning.pdf'));
    expect(filesZip.includes(pdf)).toBe(true);
    const released = (await packageOf('SN 2024/0257')).events.filter((e) => e.type === 'dissemination');
    expect(released).toEqual([
      expect.objectContaining({ agent: 'person:archivist', object: 'utredning.pdf' }),
      expect.objectContaining({
        agent: 'person:archivist',
        detail: expect.stringContaining('OSL 26 kap. 1 §'),
      }),
    ]);
    // A restricted record's release is also kept beside its copy, as a PREMIS event log.
    const dir = path.join(c.dataDir, 'store', 'local', 'packages', detail.package.id);
    expect(fs.readdirSync(dir).filter((n) => /^events-.*\.premis\.xml$/.test(n)).length).toBeGreaterThan(0);
  });

  /** The stored ZIP of a package in the fs location, damaged at `offset` bytes into `content` while `fn` runs. */
  async function withDamage(packageId: string, content: Buffer, offset: number, fn: () => Promise<void>) {
    const dir = path.join(c.dataDir, 'store', 'local', 'packages', packageId);
    const entry = fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .find((e) => e.isFile() && e.name.endsWith('.zip'));
    const zipPath = path.join(entry?.parentPath ?? '', entry?.name ?? '');
    const original = fs.readFileSync(zipPath);
    const at = original.indexOf(content);
    expect(at).toBeGreaterThan(0);
    const damaged = Buffer.from(original);
    damaged[at + offset] = (damaged[at + offset] ?? 0) ^ 0xff;
    fs.chmodSync(zipPath, 0o640);
    fs.writeFileSync(zipPath, damaged);
    try {
      await fn();
    } finally {
      fs.writeFileSync(zipPath, original);
    }
  }

  it('refuses a small file from a damaged copy before sending a byte (502, rule fixity)', async () => {
    const detail = await packageOf('Medborgarförslag', 'text');
    const pdf = fs.readFileSync(path.join(FIXTURES, 'KS 2023-0890 Medborgarförslag', 'medborgarförslag.pdf'));
    await withDamage(detail.package.id, pdf, 700, async () => {
      const res = await reader.fetch(
        `/api/packages/${detail.package.id}/file?path=${encodeURIComponent('medborgarförslag.pdf')}`,
      );
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ rule: 'fixity' });
    });
  });

  it('breaks off a large download from a damaged copy instead of sending wrong bytes whole', async () => {
    const detail = await packageOf('Ritningar', 'text');
    const plan = fs.readFileSync(path.join(source, 'Ritningar 2024', 'plan.bin'));
    await withDamage(detail.package.id, plan, 1_400_000, async () => {
      const res = await reader.fetch(`/api/packages/${detail.package.id}/file?path=plan.bin`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-length')).toBe('1500000');
      await expect(res.arrayBuffer()).rejects.toThrow();
      for (const format of ['dip', 'zip', 'aip']) {
        const whole = await reader.fetch(`/api/packages/${detail.package.id}/download?format=${format}`);
        expect(whole.status).toBe(200);
        await expect(whole.arrayBuffer(), format).rejects.toThrow();
      }
    });
    const intact = await reader.fetch(`/api/packages/${detail.package.id}/file?path=plan.bin`);
    expect(sha256(new Uint8Array(await intact.arrayBuffer()))).toBe(sha256(plan));
  });

  it('tells the overview: the location, no open problems, the archive and the last runs', async () => {
    const o = (await (await reader.fetch('/api/overview')).json()) as Record<string, unknown>;
    expect(o).toMatchObject({
      locations: [
        {
          name: 'local',
          driver: 'fs',
          reachable: true,
          inPolicy: true,
          copies: 4,
          withinPolicy: 4,
          share: 1,
        },
      ],
      problems: { damagedPackages: 0, failedCopies: 0, waitingRecords: 0, quarantinedRecords: 0, orphans: 0 },
      archive: { packages: 4, files: 11 },
      lastRuns: [expect.objectContaining({ id: runId })],
    });
  });

  it('runs an audit for operations, and serves its report under a policy of its own', async () => {
    const res = await operations.fetch('/api/audits', { method: 'POST' });
    expect(res.status).toBe(202);
    const { runId: audit } = (await res.json()) as { runId: string };
    expect(audit).toMatch(/^audit-/);
    const done = await until(async () => {
      const view = (await (await reader.fetch(`/api/audits/${audit}`)).json()) as { status: string };
      return view.status === 'running' ? undefined : view;
    });
    expect(done).toMatchObject({
      status: 'succeeded',
      startedBy: 'operations',
      counts: { failed: 0, missing: 0 },
    });
    const { counts } = done as unknown as { counts: { copies: number; verified: number } };
    expect(counts.verified).toBe(counts.copies);
    expect(counts.copies).toBeGreaterThan(0);
    const list = (await (await reader.fetch('/api/audits')).json()) as { id: string; report?: string }[];
    expect(list[0]).toMatchObject({ id: audit, report: `/audits/${audit}/report` });
    const report = await reader.fetch(`/audits/${audit}/report`);
    expect(report.status).toBe(200);
    const csp = report.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain('sandbox');
    expect(csp).not.toContain('script-src');
    expect(await report.text()).toContain('<html');
  });

  it("lists an unknown object now and records the operator's decision to keep it", async () => {
    fs.writeFileSync(path.join(c.dataDir, 'store', 'local', 'främmande.bin'), 'okänt');
    const listed = (await (await reader.fetch('/api/orphans')).json()) as {
      object: string;
      status: string;
    }[];
    expect(listed).toEqual([
      expect.objectContaining({ object: 'local:främmande.bin', status: 'orphan', size: 6 }),
    ]);
    const refused = await reader.fetch('/api/orphans/keep', {
      method: 'POST',
      json: { object: 'local:främmande.bin', reason: 'x' },
    });
    expect(refused.status).toBe(403);
    const kept = await operations.fetch('/api/orphans/keep', {
      method: 'POST',
      json: { object: 'local:främmande.bin', reason: 'överlämnat av kommunarkivet' },
    });
    expect(kept.status).toBe(200);
    const { runId: decision } = (await kept.json()) as { runId: string };
    expect(await (await reader.fetch('/api/orphans')).json()).toEqual([]);
    const audit = (await (await reader.fetch(`/api/audits/${decision}`)).json()) as { decision: unknown };
    expect(audit.decision).toEqual({ action: 'keep', object: 'local:främmande.bin', by: 'operations' });
  });

  it('describes every API route in its OpenAPI document, and nothing more', async () => {
    const doc = (await (await reader.fetch('/api/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    const registered = c.app.bevaraRoutes
      .map((r) => r.route)
      .filter((r) => r.split(' ')[1]?.startsWith('/api/'));
    expect(documented).toEqual(registered.sort());
  });
});
