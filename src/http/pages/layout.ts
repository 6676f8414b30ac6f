/**
 * The page frame: skip link, header with the main menu, who is signed in and the language switch, the main
 * landmark, and one style sheet and one script from this origin (nothing inline: the CSP forbids it).
 */
import type { UserRecord } from '../../catalog/types.js';
import type { Lang, LabelKey, Translate } from '../i18n/labels.js';
import { type Html, html } from './html.js';

/** What every page knows about its request. */
export interface PageContext {
  t: Translate;
  lang: Lang;
  /** Path and query of this page, to link it in the other language. */
  url: string;
  user?: UserRecord;
  /** The session's CSRF token, for the forms of the page. */
  csrf?: string;
}

const NAV: [string, LabelKey][] = [
  ['/', 'nav.overview'],
  ['/jobs', 'nav.jobs'],
  ['/runs', 'nav.runs'],
  ['/packages', 'nav.packages'],
  ['/quarantine', 'nav.quarantine'],
  ['/audits', 'nav.audits'],
  ['/orphans', 'nav.orphans'],
];

/** This page's URL in the other language. */
function otherLanguageUrl(url: string, lang: string): string {
  const parsed = new URL(url, 'http://x');
  parsed.searchParams.set('lang', lang);
  return `${parsed.pathname}${parsed.search}`;
}

/** The hidden field with the session's CSRF token, for every form that changes something. */
export const csrfField = (pc: PageContext) =>
  html`<input type="hidden" name="_csrf" value="${pc.csrf ?? ''}">`;

export function layout(
  pc: PageContext,
  title: string,
  body: Html,
  notice?: { text: string; tone: 'ok' | 'bad' },
): string {
  const { t } = pc;
  const path = new URL(pc.url, 'http://x').pathname;
  const current = (href: string) =>
    href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
  const nav = pc.user
    ? html`<nav aria-label="${t('mainNav')}"><ul>${NAV.map(
        ([href, key]) =>
          html`<li><a href="${href}"${current(href) ? html` aria-current="page"` : ''}>${t(key)}</a></li>`,
      )}</ul></nav>`
    : '';
  const account = pc.user
    ? html`<form method="post" action="/logout" class="logout">${csrfField(pc)}<span>${t('signedInAs', {
        name: pc.user.name,
        role: t(`role.${pc.user.role}`),
      })}</span> <button type="submit">${t('logout')}</button></form>`
    : '';
  const lang = t('otherLanguageCode');
  return `<!doctype html>\n${
    html`<html lang="${pc.lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} – ${t('appName')}</title>
<link rel="stylesheet" href="/assets/console.css">
<script src="/assets/console.js" defer></script></head>
<body><a class="skip" href="#main">${t('skipToContent')}</a>
<header><div class="bar"><a class="brand" href="/">${t('appName')}</a>${nav}
<div class="tools"><a href="${otherLanguageUrl(pc.url, lang)}" lang="${lang}" hreflang="${lang}">${t('otherLanguage')}</a>${account}</div></div></header>
<main id="main" tabindex="-1"><h1>${title}</h1>
${notice ? html`<p class="notice ${notice.tone}" role="${notice.tone === 'bad' ? 'alert' : 'status'}">${notice.text}</p>` : ''}
${body}</main>
<footer><p>${t('timesInUtc')}</p></footer></body></html>`.text
  }\n`;
}
