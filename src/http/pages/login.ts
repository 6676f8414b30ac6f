import { html } from './html.js';
import { type PageContext, layout } from './layout.js';

/** The login form; `token` is the login form's own CSRF token (double submit with its cookie). */
export function loginPage(pc: PageContext, token: string, next: string, error?: string): string {
  const { t } = pc;
  const body = html`<form method="post" action="/login" class="login">
<input type="hidden" name="_csrf" value="${token}"><input type="hidden" name="next" value="${next}">
<p><label for="name">${t('login.name')}</label>
<input id="name" name="name" autocomplete="username" required autofocus maxlength="64"></p>
<p><label for="password">${t('login.password')}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"></p>
<p><button type="submit">${t('login.submit')}</button></p></form>`;
  return layout(pc, t('login.title'), body, error ? { text: error, tone: 'bad' } : undefined);
}
