import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bevara, copyFixtures, json, listFiles, tempDir } from './helpers.js';

interface PlanJson {
  proposal: { id: string; plannedBy: string } | null;
  items: { packageId: string; status: string; ruleId: string; reason: string; detail?: string }[];
}
interface ShowJson {
  package: {
    id: string;
    state: string;
    sha256: string;
    predecessorId?: string;
    metadata: { identifier?: string };
  };
  events: { type: string; agent: string; detail: string }[];
}
interface ApproveJson {
  proposal: { status: string; approvedBy: string };
  items: { packageId: string; status: string }[];
  certificate: string[];
}
interface AuditJson {
  failed: number;
  orphans: number;
  items: { subject: string; status: string; message?: string; details?: { problems?: { rule: string }[] } }[];
}

/**
 * Disposal end to end on two filesystem locations: a record with two versions is due under its rule, another is
 * under a legal hold by query; the planner cannot approve; a second person approves; every copy of both versions
 * is destroyed and checked gone, the tombstones, deletion events and certificate say what, the held record stays,
 * and the audit afterwards is clean. A destroyed copy put back is reported as reappeared.
 */
describe('disposal on the filesystem store', () => {
  let work: string;
  let data: string;
  let source: string;
  let config: string;
  const run = (args: string[]) => bevara(data, ['-c', config, ...args]);
  const ls = () => json<{ id: string; state: string; label: string }[]>(run(['--json', 'ls']));
  const show = (id: string) => json<ShowJson>(run(['--json', 'show', id]));

  beforeAll(() => {
    work = tempDir('disposal');
    data = path.join(work, 'data');
    source = copyFixtures(path.join(work, 'records'));
    config = path.join(work, 'bevara.config.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        locations: { local: { driver: 'fs' }, second: { driver: 'fs' } },
        copies: ['local', 'second'],
        retention: {
          rules: [
            {
              id: 'bygglov-1y',
              classification: '3.1',
              retain: '1y',
              from: 'end',
              decision: 'BN 2020/12 § 4',
            },
            { id: 'bistand-1y', classification: '7.2', retain: '1y' },
          ],
        },
      }),
    );
    expect(run(['ingest', source]).code).toBe(0);
    // A second version of the building permit record: a changed file makes a package naming its predecessor.
    fs.appendFileSync(
      path.join(source, '2024-0113 Bygglov Östra Gränd 3', 'ansökan.pdf'),
      '\n% komplettering\n',
    );
    expect(run(['ingest', source]).code).toBe(0);
  });

  it('plans, refuses the planner as approver, disposes of every version and keeps the held record', () => {
    const hold = run([
      'hold',
      'add',
      '--classification',
      '7.2',
      '--by',
      'Eva Jurist',
      '--reason',
      'JO 2026/77',
    ]);
    expect(hold.code, hold.stderr).toBe(0);
    const packages = ls();
    const bygglov = packages.filter((p) => p.label.includes('bygglov'));
    expect(bygglov).toHaveLength(2);
    const zipsBefore = listFiles(path.join(data, 'store')).filter((f) => f.endsWith('.zip'));
    expect(zipsBefore).toHaveLength(8);

    const planned = run(['--json', 'disposal', 'plan', '--planner', 'Anna']);
    expect(planned.code, planned.stderr).toBe(0);
    const plan = json<PlanJson>(planned);
    const id = plan.proposal?.id as string;
    expect(plan.items.map((i) => [i.ruleId, i.status]).sort()).toEqual([
      ['bistand-1y', 'held'],
      ['bygglov-1y', 'proposed'],
      ['bygglov-1y', 'proposed'],
    ]);
    expect(plan.items.find((i) => i.status === 'proposed')?.reason).toMatch(
      /dates\.end 2024-03-04, due 2025-03-04/,
    );
    // Planning deleted nothing.
    expect(listFiles(path.join(data, 'store')).filter((f) => f.endsWith('.zip'))).toEqual(zipsBefore);

    const self = run(['disposal', 'approve', id, '--approver', ' anna ']);
    expect(self.code).toBe(2);
    expect(self.stderr).toMatch(/planned by "Anna"; another person must approve it.*disposal-four-eyes/);
    expect(listFiles(path.join(data, 'store')).filter((f) => f.endsWith('.zip'))).toEqual(zipsBefore);

    const approved = run(['--json', 'disposal', 'approve', id, '--approver', 'Bengt']);
    expect(approved.code, approved.stderr).toBe(0);
    const result = json<ApproveJson>(approved);
    expect(result.proposal).toMatchObject({ status: 'completed', approvedBy: 'Bengt' });
    expect(result.items.map((i) => i.status).sort()).toEqual(['disposed', 'disposed', 'held']);

    const zipsAfter = listFiles(path.join(data, 'store')).filter((f) => f.endsWith('.zip'));
    expect(zipsAfter).toHaveLength(4);
    for (const p of bygglov) {
      expect(zipsAfter.some((f) => f.includes(p.id))).toBe(false);
      expect(listFiles(path.join(data, 'store')).some((f) => f.includes(p.id))).toBe(false);
      const shown = show(p.id);
      expect(shown.package.state).toBe('disposed');
      const deletion = shown.events.find((e) => e.type === 'deletion');
      expect(deletion?.agent).toBe('person:Bengt');
      expect(deletion?.detail).toMatch(
        /rule "bygglov-1y".*planned by Anna, approved by Bengt.*local:packages\//,
      );
    }
    expect(ls().filter((p) => p.state === 'archived')).toHaveLength(2);

    const [certJson, certHtml] = result.certificate as [string, string];
    const certificate = JSON.parse(fs.readFileSync(certJson, 'utf8'));
    expect(certificate.destroyed).toHaveLength(2);
    for (const t of certificate.destroyed) {
      expect(t).toMatchObject({ ruleId: 'bygglov-1y', identifier: 'BN 2024/0113', classification: '3.1.2' });
      expect(t.decision).toMatchObject({ plannedBy: 'Anna', approvedBy: 'Bengt' });
      expect(t.decision.reason).toContain('BN 2020/12 § 4');
      expect(t.destroyed.objects.map((o: { location: string }) => o.location).sort()).toEqual([
        'local',
        'second',
      ]);
      const pkg = show(t.packageId).package;
      expect(t.destroyed.packageSha256).toBe(pkg.sha256);
      for (const o of t.destroyed.objects) expect(o.sha256).toBe(pkg.sha256);
    }
    expect(certificate.notDestroyed.map((i: { status: string }) => i.status)).toEqual(['held']);
    const html = fs.readFileSync(certHtml, 'utf8');
    expect(html).toContain('Disposal certificate');
    expect(html).toContain(certificate.destroyed[0].destroyed.packageSha256);

    // Run again: nothing changes, the certificate says the same.
    const again = run(['--json', 'disposal', 'approve', id, '--approver', 'Bengt']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(certJson, 'utf8')).destroyed).toEqual(certificate.destroyed);

    // The audit afterwards: every copy left verified, no missing copy, no orphan.
    const audit = run(['--json', 'audit', '--all']);
    expect(audit.code, audit.stdout).toBe(0);
    const report = json<AuditJson>(audit);
    expect(report.failed).toBe(0);
    expect(report.orphans).toBe(0);
    expect(report.items.filter((i) => i.status === 'ok')).toHaveLength(4);
  });

  it('reports a destroyed copy that reappears, and plans the held record once it is released', () => {
    const disposed = ls().filter((p) => p.state === 'disposed');
    const kept = ls().find((p) => p.state === 'archived' && p.label.includes('bistånd')) as { id: string };
    const keptZip = path.join(data, 'store', 'local', 'packages', kept.id, `${kept.id}.zip`);
    const back = path.join(data, 'store', 'local', 'packages', disposed[0]?.id as string);
    fs.mkdirSync(back, { recursive: true });
    fs.copyFileSync(keptZip, path.join(back, `${disposed[0]?.id}.zip`));
    const audit = run(['--json', 'audit', '--all']);
    expect(audit.code).toBe(1);
    const orphan = json<AuditJson>(audit).items.find((i) => i.status === 'orphan');
    expect(orphan?.details?.problems?.[0]?.rule).toBe('disposed-reappeared');
    expect(orphan?.message).toMatch(/disposed of on .* has reappeared/);
    fs.rmSync(back, { recursive: true });

    const holds = json<{ id: string }[]>(run(['--json', 'hold', 'list']));
    expect(holds).toHaveLength(1);
    expect(run(['disposal', 'plan', '--planner', 'Anna']).stdout).toMatch(
      /held: hold-.*every record due is under a legal hold/s,
    );
    const released = run([
      'hold',
      'release',
      holds[0]?.id as string,
      '--by',
      'Eva Jurist',
      '--reason',
      'avslutat',
    ]);
    expect(released.code, released.stderr).toBe(0);
    const plan = json<PlanJson>(run(['--json', 'disposal', 'plan', '--planner', 'Anna']));
    expect(plan.items.map((i) => [i.packageId, i.status])).toEqual([[kept.id, 'proposed']]);
  });
});
