/**
 * The console's language: Swedish by default (or the config's `language`), English with `?lang=en`, remembered
 * in a cookie. One table per language; pages never hold text of their own.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EN } from './labels-en.js';
import { type LabelKey, SV } from './labels-sv.js';

export type { LabelKey } from './labels-sv.js';
export type Lang = 'sv' | 'en';

export const LANG_COOKIE = 'bevara-lang';

/** Looks words up in one language; `{name}` in a label takes `vars.name`. */
export type Translate = (key: LabelKey, vars?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const table: Record<LabelKey, string> = lang === 'en' ? EN : SV;
  return (key, vars) =>
    vars ? table[key].replace(/\{(\w+)\}/g, (all, name: string) => String(vars[name] ?? all)) : table[key];
}

/** `?lang=` (remembered in a cookie for the next pages), the cookie, or the default. */
export function requestLang(request: FastifyRequest, reply: FastifyReply, fallback: Lang): Lang {
  const asked = (request.query as { lang?: unknown } | undefined)?.lang;
  if (asked === 'sv' || asked === 'en') {
    reply.setCookie(LANG_COOKIE, asked, { path: '/', sameSite: 'strict', secure: true, maxAge: 31_536_000 });
    return asked;
  }
  const remembered = request.cookies[LANG_COOKIE];
  return remembered === 'sv' || remembered === 'en' ? remembered : fallback;
}
