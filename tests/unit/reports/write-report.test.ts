import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createXmlValidator } from '../../../src/metadata/xml-validator.js';
import { createReportWriter, type RunReport } from '../../../src/reports/write-report.js';
import { sampleAudit } from './sample-audit.js';

describe('createReportWriter', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bevara-reports-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('writes JSON, HTML and the PREMIS event log of an audit run into a new folder', async () => {
    const { run, items, extras } = sampleAudit();
    const out = path.join(dir, 'reports', 'nested');
    const paths = await createReportWriter({ dir: out, language: 'sv' }).write(run, items, extras);
    expect(paths).toEqual(['json', 'html', 'premis.xml'].map((ext) => path.join(out, `${run.id}.${ext}`)));
    expect((await fs.readdir(out)).sort()).toEqual(paths.map((p) => path.basename(p)).sort());

    const json = JSON.parse(await fs.readFile(paths[0] as string, 'utf8')) as RunReport;
    expect(json).toMatchObject({ report: 'bevara-run-report', version: 2, language: 'sv' });
    expect(json.items).toHaveLength(items.length);
    expect(json.coverage?.map((c) => c.location)).toEqual(['local', 'offsite']);
    expect(json.events).toHaveLength(extras.events.length);

    const html = await fs.readFile(paths[1] as string, 'utf8');
    expect(html).toContain('<html lang="sv">');
    expect(html).toContain('Granskning: Slutförd med fel');

    const premis = await fs.readFile(paths[2] as string, 'utf8');
    expect(premis.match(/<premis:event /g)).toHaveLength(extras.events.length);
    expect(await createXmlValidator().validate(premis, 'premis')).toEqual({ valid: true, problems: [] });
  });

  it('writes no event log without events, and English by default', async () => {
    const { run, items, extras } = sampleAudit('audit-plain');
    const writer = createReportWriter({ dir });
    expect(await writer.write(run, items)).toHaveLength(2);
    expect(await writer.write(run, items, { ...extras, events: [] })).toHaveLength(2);
    expect((await fs.readdir(dir)).sort()).toEqual(['audit-plain.html', 'audit-plain.json']);
    expect(await fs.readFile(path.join(dir, 'audit-plain.html'), 'utf8')).toContain('<html lang="en">');
  });

  it('masks URLs in every report file, which stay valid, and never opens them to other users', async () => {
    const { run, items, extras } = sampleAudit('audit-secrets');
    const leaky = items.map((item) => ({
      ...item,
      message: 'cannot reach "http://rgw:hemlis-1@127.0.0.1:9/arkiv?X-Amz-Signature=hemlis-2&x=1"',
    }));
    const paths = await createReportWriter({ dir }).write(run, leaky, extras);
    for (const file of paths) {
      const text = await fs.readFile(file, 'utf8');
      expect(text, file).not.toMatch(/hemlis/);
      expect((await fs.stat(file)).mode & 0o007, file).toBe(0);
    }
    const json = JSON.parse(await fs.readFile(paths[0] as string, 'utf8')) as RunReport;
    expect(json.items[0]?.message).toBe(
      'cannot reach "http://rgw:***@127.0.0.1:9/arkiv?X-Amz-Signature=***&x=1"',
    );
    expect(
      await createXmlValidator().validate(await fs.readFile(paths[2] as string, 'utf8'), 'premis'),
    ).toEqual({
      valid: true,
      problems: [],
    });
  });
});
