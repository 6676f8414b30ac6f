/**
 * The Quarantine page: what ingest refused and why (rule, record, file), where it is, the refusing run and its
 * report, and for archivists the release and discard forms (a reason each; discard also a confirmation box).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { QuarantineEntry } from '../../quarantine/entries.js';
import { who } from '../auth/guard.js';
import { can } from '../auth/roles.js';
import type { ConsoleDeps } from '../deps.js';
import {
  decideFromConsole,
  type QuarantineDetail,
  quarantineDetail,
  quarantineList,
} from '../services/quarantine.js';
import { pageContext, sendPage } from './context.js';
import { code, fields, type Html, html, table, when } from './html.js';
import { csrfField, layout, type PageContext } from './layout.js';

const where = (pc: PageContext, e: QuarantineEntry) =>
  e.place.kind === 'moved'
    ? pc.t('quarantine.moved', { path: e.place.path })
    : pc.t('quarantine.inPlace', { path: e.place.path });

const problemList = (e: QuarantineEntry): Html =>
  html`<ul class="problems">${e.problems.map(
    (p) => html`<li>${code(p.rule)}${p.file ? html` ${code(p.file)}` : ''}: ${p.message}</li>`,
  )}</ul>`;

function decisionForms(pc: PageContext, e: QuarantineEntry, n: number): Html {
  const { t } = pc;
  const action = `/quarantine/${encodeURIComponent(e.id)}`;
  return html`<div class="actions"><form method="post" action="${action}/release" class="inline">${csrfField(pc)}
<label for="release-reason-${n}" class="visually-hidden">${t('quarantine.reason')} (${t('quarantine.release')} ${e.record})</label>
<input id="release-reason-${n}" name="reason" placeholder="${t('quarantine.reason')}">
<button type="submit" class="secondary" aria-label="${t('quarantine.release')}: ${e.record}">${t('quarantine.release')}</button></form>
<form method="post" action="${action}/discard" class="inline" data-confirm="${t('quarantine.discard')}: ${e.record}?">${csrfField(pc)}
<label for="discard-reason-${n}" class="visually-hidden">${t('quarantine.reason')} (${t('quarantine.discard')} ${e.record})</label>
<input id="discard-reason-${n}" name="reason" required placeholder="${t('quarantine.reason')}">
<input type="checkbox" id="discard-confirm-${n}" name="confirm" value="true" required>
<label for="discard-confirm-${n}">${t('quarantine.confirmDiscard')}</label>
<button type="submit" class="danger" aria-label="${t('quarantine.discard')}: ${e.record}">${t('quarantine.discard')}</button></form></div>`;
}

export function quarantinePage(
  pc: PageContext,
  entries: QuarantineEntry[],
  canDecide: boolean,
  notice?: string,
): string {
  const { t } = pc;
  const body = html`<p>${t('quarantine.intro')}</p>${
    entries.length === 0
      ? html`<p role="status">${t('quarantine.none')}</p>`
      : table(
          t('quarantine.title'),
          [
            t('quarantine.record'),
            t('quarantine.job'),
            t('quarantine.refused'),
            t('quarantine.problems'),
            t('quarantine.where'),
            ...(canDecide ? [t('actions')] : []),
          ],
          entries.map((e, n) => [
            html`<a href="/quarantine/${encodeURIComponent(e.id)}">${e.record}</a>`,
            html`${e.job}`,
            html`${when(e.quarantinedAt)}<br><small><a href="/runs/${encodeURIComponent(e.runId)}">${code(e.runId)}</a></small>`,
            problemList(e),
            html`<small>${where(pc, e)}</small>`,
            ...(canDecide ? [decisionForms(pc, e, n)] : []),
          ]),
        )
  }`;
  return layout(pc, t('quarantine.title'), body, notice ? { text: notice, tone: 'ok' } : undefined);
}

export function quarantineEntryPage(pc: PageContext, d: QuarantineDetail, canDecide: boolean): string {
  const { t } = pc;
  const report = d.reports.some((r) => r.endsWith('.html'))
    ? html`<a href="/quarantine/${encodeURIComponent(d.id)}/report">${t('quarantine.report')}</a>`
    : undefined;
  const body = html`${fields([
    [t('quarantine.job'), d.job],
    [t('quarantine.refused'), when(d.quarantinedAt)],
    [t('quarantine.run'), html`<a href="/runs/${encodeURIComponent(d.runId)}">${code(d.runId)}</a>`],
    [t('quarantine.where'), where(pc, d)],
    [t('quarantine.report'), report],
    [
      t('quarantine.decision'),
      d.decision
        ? `${d.decision.decision} · ${d.decision.by} · ${when(d.decision.at)} · ${d.decision.outcome}`
        : undefined,
    ],
  ])}
<h2>${t('quarantine.problems')}</h2>${problemList(d)}
${d.validation ? html`<h2>${t('quarantine.validation')}</h2><pre class="report-text">${d.validation}</pre>` : ''}
${canDecide && !d.decision ? decisionForms(pc, d, 0) : ''}`;
  return layout(pc, t('quarantine.entry', { record: d.record }), body);
}

type Fields = Record<string, string | undefined>;

/** GET /quarantine, GET /quarantine/:id, and the release and discard forms posting back here. */
export function registerQuarantinePages(app: FastifyInstance, deps: ConsoleDeps): void {
  const { ctx } = deps;
  const page = (request: FastifyRequest, reply: FastifyReply) => pageContext(ctx, request, reply);
  const mayDecide = (request: FastifyRequest) => can(who(request).user.role, 'jobs');
  app.get('/quarantine', { config: { access: 'read' } }, async (request, reply) => {
    const pc = page(request, reply);
    const q = request.query as Fields;
    const notice =
      q.record && q.by && q.outcome && (q.decided === 'release' || q.decided === 'discard')
        ? pc.t(q.decided === 'release' ? 'quarantine.released' : 'quarantine.discarded', {
            record: q.record,
            by: q.by,
            outcome: q.outcome,
          })
        : undefined;
    const entries = await quarantineList(ctx, q.job);
    return sendPage(reply, quarantinePage(pc, entries, mayDecide(request), notice));
  });
  app.get<{ Params: { id: string } }>(
    '/quarantine/:id',
    { config: { access: 'read' } },
    async (request, reply) =>
      sendPage(
        reply,
        quarantineEntryPage(
          page(request, reply),
          await quarantineDetail(ctx, request.params.id),
          mayDecide(request),
        ),
      ),
  );
  for (const action of ['release', 'discard'] as const) {
    app.post<{ Params: { id: string } }>(
      `/quarantine/:id/${action}`,
      { config: { access: 'jobs' } },
      async (request, reply) => {
        const body = (request.body ?? {}) as Fields;
        const result = await decideFromConsole(ctx, {
          id: request.params.id,
          action,
          by: who(request).user.name,
          reason: body.reason,
          confirm: body.confirm,
        });
        const query = new URLSearchParams({
          decided: result.decision,
          record: result.record,
          by: result.by,
          outcome: result.outcome,
        });
        return reply.redirect(`/quarantine?${query.toString()}`, 303);
      },
    );
  }
}
