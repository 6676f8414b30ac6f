import { html } from './html.js';
import { type PageContext, layout } from './layout.js';

/** What the login page offers. */
export interface LoginForm {
  /** The login form's own CSRF token (double submit with its cookie). */
  token: string;
  /** Where to go after login. */
  next: string;
  /** Whether local accounts may log in (config `http.localLogin`). */
  local: boolean;
  /** The OpenID Connect provider's name, when one is configured. */
  provider?: string;
}

/** The login page: "Log in with <provider>" when configured, and the form of local accounts unless turned off. */
export function loginPage(pc: PageContext, form: LoginForm, error?: string): string {
  const { t } = pc;
  const oidc = form.provider
    ? html`<p class="oidc"><a class="button" id="oidc-login" href="/login/oidc?next=${encodeURIComponent(form.next)}">${t(
        'login.oidc',
        { provider: form.provider },
      )}</a></p>${form.local ? html`<p>${t('login.or')}</p>` : ''}`
    : '';
  const local = form.local
    ? html`<form method="post" action="/login" class="login">
<input type="hidden" name="_csrf" value="${form.token}"><input type="hidden" name="next" value="${form.next}">
<p><label for="name">${t('login.name')}</label>
<input id="name" name="name" autocomplete="username" required${form.provider ? '' : html` autofocus`} maxlength="64"></p>
<p><label for="password">${t('login.password')}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"></p>
<p><button type="submit">${t('login.submit')}</button></p></form>`
    : '';
  return layout(
    pc,
    t('login.title'),
    html`${oidc}${local}`,
    error ? { text: error, tone: 'bad' } : undefined,
  );
}

/** After an OpenID Connect login: the browser goes on from here (a `Refresh`), or with the link. */
export function loggedInPage(pc: PageContext, next: string): string {
  return layout(pc, pc.t('login.title'), html`<p><a href="${next}">${pc.t('login.continue')}</a></p>`);
}
