import { formatBytes } from '../../reports/format-bytes.js';
import type { Overview } from '../services/overview.js';
import { lineChart } from './chart.js';
import { code, type Html, html, table, when } from './html.js';
import { type PageContext, layout } from './layout.js';
import { runRows, runsTable, statusWord } from './runs.js';

/** One number in the row of open problems, marked when it is not zero. */
function tile(value: number, label: string, href?: string): Html {
  const text = href && value > 0 ? html`<a href="${href}">${label}</a>` : label;
  return html`<li${value > 0 ? html` class="bad"` : ''}><b>${value}</b>${text}</li>`;
}

/** What the last audit found and repaired, so that a repair stays in sight after its open problem is gone. */
function lastAuditSection(pc: PageContext, audit: Overview['lastAudit']): Html {
  const { t } = pc;
  const heading = html`<h2 id="last-audit">${t('overview.lastAudit')}</h2>`;
  if (!audit)
    return html`<section aria-labelledby="last-audit">${heading}<p>${t('audits.none')}</p></section>`;
  const repaired = html`<li${audit.repaired > 0 ? html` class="warn"` : ''}><b>${audit.repaired}</b>${t('overview.repaired')}</li>`;
  return html`<section aria-labelledby="last-audit">${heading}
<p><a href="/audits/${encodeURIComponent(audit.id)}">${code(audit.id)}</a> ${statusWord(pc, audit.status)} ${when(audit.finishedAt)}</p>
<ul class="tiles"><li><b>${audit.copies}</b>${t('overview.auditedCopies')}</li>
<li><b>${audit.verified}</b>${t('overview.verified')}</li>
${tile(audit.failed, t('overview.failedCopies'))}
${repaired}
${tile(audit.damagedPackages, t('overview.damaged'))}</ul></section>`;
}

export function overviewPage(pc: PageContext, o: Overview): string {
  const { t } = pc;
  const p = o.problems;
  const locations = table(
    t('overview.locations'),
    [
      t('overview.location'),
      t('overview.where'),
      t('overview.reachable'),
      t('overview.copies'),
      t('overview.coverage'),
      t('overview.oldest'),
    ],
    o.locations.map((l) => [
      html`<b>${l.name}</b> <small>(${l.driver})</small>`,
      code(l.where),
      l.reachable
        ? html`<span class="st-ok">${t('yes')}</span>`
        : html`<span class="st-bad">${t('no')}</span>`,
      html`${l.copies} <small>(${formatBytes(l.bytes)})</small>`,
      html`<span class="${l.share < 1 ? 'st-warn' : 'st-ok'}">${(l.share * 100).toFixed(1)} %</span> <small>(${l.withinPolicy}/${l.copies}, ${t('overview.days', { n: l.periodDays })})</small>`,
      l.oldest
        ? html`<a href="/packages/${encodeURIComponent(l.oldest.packageId)}">${code(l.oldest.packageId)}</a> <small>${t('overview.days', { n: l.oldest.waitedDays.toFixed(1) })}</small>`
        : html`–`,
    ]),
    { numeric: [3] },
  );
  const body = html`<section aria-labelledby="problems"><h2 id="problems">${t('overview.problems')}</h2>
<ul class="tiles">
${tile(p.damagedPackages, t('overview.damaged'), '/packages?state=damaged')}
${tile(p.failedCopies + p.missingCopies, t('overview.failedCopies'), '/audits')}
${tile(p.waitingRecords, t('overview.waiting'), '/runs')}
${tile(p.quarantinedRecords, t('overview.quarantined'), '/quarantine')}
${tile(p.orphans, t('overview.orphans'), '/orphans')}
</ul></section>
${lastAuditSection(pc, o.lastAudit)}
<section aria-labelledby="locations"><h2 id="locations">${t('overview.locations')}</h2>${locations}</section>
<section aria-labelledby="archive"><h2 id="archive">${t('overview.archive')}</h2>
<ul class="tiles"><li><b>${o.archive.packages}</b>${t('overview.packages')}</li>
<li><b>${o.archive.files}</b>${t('overview.files')}</li>
<li><b>${formatBytes(o.archive.packageBytes)}</b>${t('overview.stored')}</li></ul></section>
<section aria-labelledby="growth"><h2 id="growth">${t('overview.growth')}</h2>${
    o.storageTrend.days.length === 0
      ? html`<p>${t('overview.growthNone')}</p>`
      : lineChart({
          id: 'growth-chart',
          title: t('overview.growth'),
          description: t('overview.growthDesc', {
            days: o.storageTrend.days.length,
            from: o.storageTrend.days[0] ?? '',
            to: o.storageTrend.days.at(-1) ?? '',
            now: o.storageTrend.locations
              .map((l) => `${l.name} ${formatBytes(l.bytes.at(-1) ?? 0)}`)
              .join(', '),
          }),
          x: o.storageTrend.days,
          xLabel: t('chart.day'),
          series: o.storageTrend.locations.map((l) => ({ name: l.name, values: l.bytes })),
          format: formatBytes,
        })
  }</section>
<section aria-labelledby="last-runs"><h2 id="last-runs">${t('overview.lastRuns')}</h2>
${o.lastRuns.length === 0 ? html`<p>${t('runs.none')}</p>` : runsTable(pc, runRows(pc, o.lastRuns))}</section>
<p><small>${when(o.at)} UTC</small></p>`;
  return layout(pc, t('overview.title'), body);
}
