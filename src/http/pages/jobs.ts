import { describeAfterSuccess, describeSchedule, describeSource } from '../../jobs/describe.js';
import type { JobWithLastRun } from '../../jobs/job-actions.js';
import { DEFAULT_TIMEZONE } from '../../jobs/job-fields.js';
import { cronTimes } from '../../worker/cron-time.js';
import type { LabelKey } from '../i18n/labels.js';
import { code, type Html, html, table, when } from './html.js';
import { csrfField, type PageContext, layout } from './layout.js';
import { runLink, statusWord } from './runs.js';

/** What the form was sent with, and the problems found, by field (`name`, `source`, `cron`, …). */
export interface JobForm {
  values: Record<string, string>;
  errors: { field: string; rule: string; message: string }[];
  summary?: string;
}

const FIELDS: { name: string; label: LabelKey; hint?: LabelKey; type?: string; placeholder?: string }[] = [
  { name: 'name', label: 'jobs.name', placeholder: 'nattlig-w3d3' },
  { name: 'sourcePath', label: 'jobs.sourcePath', placeholder: '/exports/w3d3' },
  { name: 'profile', label: 'jobs.profile' },
  { name: 'cron', label: 'jobs.cron', hint: 'jobs.cronHint', placeholder: '0 2 * * *' },
  { name: 'timezone', label: 'jobs.timezone', placeholder: DEFAULT_TIMEZONE },
  { name: 'afterSuccess', label: 'jobs.afterSuccess', hint: 'jobs.afterSuccessHint', placeholder: 'leave' },
  { name: 'quarantine', label: 'jobs.quarantine' },
  { name: 'maxRecords', label: 'jobs.maxRecords' },
  { name: 'maxBytes', label: 'jobs.maxBytes' },
];

/** The form's field an API problem belongs to (the source is asked for as kind and folder). */
const formField = (field: string) => (field === 'source' ? 'sourcePath' : field);

function input(pc: PageContext, form: JobForm, f: (typeof FIELDS)[number]): Html {
  const errors = form.errors.filter((e) => formField(e.field) === f.name);
  const id = `job-${f.name}`;
  const described = [f.hint ? `${id}-hint` : '', errors.length > 0 ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return html`<p><label for="${id}">${pc.t(f.label)}</label>
${f.hint ? html`<span class="hint" id="${id}-hint">${pc.t(f.hint)}</span>` : ''}
${errors.length > 0 ? html`<span class="field-error" id="${id}-error">${errors.map((e) => html`${e.message} [${e.rule}] `)}</span>` : ''}
<input id="${id}" name="${f.name}" value="${form.values[f.name] ?? ''}"${f.placeholder ? html` placeholder="${f.placeholder}"` : ''}${
    described ? html` aria-describedby="${described}"` : ''
  }${errors.length > 0 ? html` aria-invalid="true"` : ''}${f.name === 'name' || f.name === 'sourcePath' ? html` required` : ''}></p>`;
}

function jobForm(pc: PageContext, form: JobForm): Html {
  const { t } = pc;
  const kind = form.values.sourceKind ?? 'folder';
  const summary =
    form.errors.length > 0 || form.summary
      ? html`<div class="error-summary" role="alert" tabindex="-1" id="job-errors" autofocus>
<p><b>${t('jobs.invalid')}</b>${form.summary ? html` ${form.summary}` : ''}</p>
<ul>${form.errors.map((e) => html`<li><a href="#job-${formField(e.field)}">${e.message}</a> [${e.rule}]</li>`)}</ul></div>`
      : '';
  const field = (name: string) =>
    input(pc, form, FIELDS.find((f) => f.name === name) ?? { name, label: 'jobs.name' });
  return html`<section aria-labelledby="new-job"><h2 id="new-job">${t('jobs.new')}</h2>${summary}
<form method="post" action="/jobs" class="grid" novalidate>${csrfField(pc)}
${field('name')}
<p><label for="job-sourceKind">${t('jobs.sourceKind')}</label><select id="job-sourceKind" name="sourceKind">${[
    'folder',
    'bagit',
    'eark-sip',
  ].map((k) => html`<option value="${k}"${k === kind ? html` selected` : ''}>${k}</option>`)}</select></p>
${field('sourcePath')}${field('profile')}${field('cron')}${field('timezone')}${field('afterSuccess')}
${field('quarantine')}${field('maxRecords')}${field('maxBytes')}
<p><label><input type="checkbox" name="disabled"${form.values.disabled ? html` checked` : ''}> ${t('jobs.disabled')}</label></p>
<p class="wide"><button type="submit">${t('jobs.add')}</button></p></form></section>`;
}

/** How many coming firings the jobs list shows for a scheduled job, so a cron expression can be read. */
const NEXT_RUNS = 3;

/** The next firings of a scheduled job, in its own time zone, as the worker computes them; nothing when paused. */
function nextRuns(pc: PageContext, job: JobWithLastRun, now: Date): Html {
  if (!job.schedule || !job.enabled) return html``;
  const { cron, timezone } = job.schedule;
  const local = new Intl.DateTimeFormat('sv-SE', {
    timeZone: timezone,
    dateStyle: 'short',
    timeStyle: 'short',
  });
  const next = cronTimes(cron, timezone);
  const times: string[] = [];
  for (let at = next(now); at && times.length < NEXT_RUNS; at = next(at)) times.push(local.format(at));
  return html`<br><small>${pc.t('jobs.nextRuns', { timezone })}: ${times.join(', ')}</small>`;
}

function actions(pc: PageContext, job: JobWithLastRun, canChange: boolean): Html {
  if (!canChange) return html``;
  const { t } = pc;
  const post = (action: string, label: string, cls = 'secondary') =>
    html`<form method="post" action="/jobs/${encodeURIComponent(job.name)}/${action}" class="inline">${csrfField(pc)}<button type="submit" class="${cls}" aria-label="${label}: ${job.name}">${label}</button></form>`;
  return html`<div class="actions">${job.origin === 'ingest' ? '' : job.enabled ? post('pause', t('jobs.pause')) : post('resume', t('jobs.resume'))}${post('run', t('jobs.runNow'), '')}</div>`;
}

export function jobsPage(
  pc: PageContext,
  jobs: JobWithLastRun[],
  /** `now`: the app clock's time, from which the next firings are counted. */
  options: { canChange: boolean; now: Date; form?: JobForm; notice?: string },
): string {
  const { t } = pc;
  const list =
    jobs.length === 0
      ? html`<p>${t('jobs.none')}</p>`
      : table(
          t('jobs.title'),
          [
            t('jobs.name'),
            t('jobs.source'),
            t('jobs.profile'),
            t('jobs.schedule'),
            t('jobs.after'),
            t('jobs.state'),
            t('jobs.lastRun'),
            t('actions'),
          ],
          jobs.map((job) => [
            html`<b>${job.name}</b>`,
            code(describeSource(job.source)),
            html`${job.profile}`,
            html`${describeSchedule(job)}${nextRuns(pc, job, options.now)}`,
            html`${describeAfterSuccess(job)}`,
            html`${job.enabled ? t('jobs.enabled') : t('jobs.paused')}`,
            job.lastRun
              ? html`${runLink(job.lastRun.id)}<br>${statusWord(pc, job.lastRun.status)} ${when(job.lastRun.startedAt)}`
              : html`${t('never')}`,
            actions(pc, job, options.canChange),
          ]),
        );
  const body = html`${list}${options.canChange ? jobForm(pc, options.form ?? { values: {}, errors: [] }) : ''}`;
  const bad = Boolean(options.form && options.form.errors.length + (options.form.summary ? 1 : 0) > 0);
  return layout(
    pc,
    t('jobs.title'),
    body,
    options.notice && !bad ? { text: options.notice, tone: 'ok' } : undefined,
  );
}
