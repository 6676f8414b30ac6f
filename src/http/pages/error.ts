import type { Problem } from '../problem.js';
import { html } from './html.js';
import { type PageContext, layout } from './layout.js';

/** A problem told as a page, for people at a browser. */
export function errorPage(pc: PageContext, problem: Problem): string {
  const { t } = pc;
  const body = html`<p class="notice bad" role="alert">${problem.status} ${problem.title}: ${problem.detail}</p>
${problem.rule ? html`<p>${t('runs.rule')}: <code>${problem.rule}</code></p>` : ''}
<p><a href="/">${t('error.back')}</a></p>`;
  return layout(pc, t('error.title'), body);
}
