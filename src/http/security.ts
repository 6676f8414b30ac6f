/**
 * Security headers. Every page gets a strict Content-Security-Policy: scripts, styles, images and fetches from
 * this origin only, nothing inline (the console has one CSS and one JS file), no plugins, no framing by others.
 * An audit report (self-contained HTML with one inline style sheet and a few style attributes, no scripts) gets a
 * policy of its own that allows exactly those styles by their SHA-256, and is sandboxed.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyReply } from 'fastify';
import type { FastifyHelmetOptions } from '@fastify/helmet';

export const HELMET_OPTIONS: FastifyHelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'"],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      frameSrc: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
  },
  // Pages link to nothing of other origins; no referrer leaves at all.
  referrerPolicy: { policy: 'no-referrer' },
};

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * The policy for one report document: its `<style>` blocks and `style="…"` attributes by hash, nothing else.
 * Attribute values are hashed as the browser sees them (HTML entities in them would differ; reports write none).
 */
export function reportPolicy(html: string): string {
  const blocks = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => sha256(m[1] ?? ''));
  const attributes = [...new Set([...html.matchAll(/ style="([^"]*)"/g)].map((m) => m[1] ?? ''))].map(sha256);
  const styles = [...blocks, ...(attributes.length > 0 ? ["'unsafe-hashes'", ...attributes] : [])];
  return [
    "default-src 'none'",
    `style-src ${styles.length > 0 ? styles.join(' ') : "'none'"}`,
    "frame-ancestors 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    'sandbox',
  ].join('; ');
}

/** Sends a stored HTML report in the console, under its own policy (its inline style hashed) and framed by us only. */
export async function sendReportPage(reply: FastifyReply, file: string): Promise<FastifyReply> {
  const page = await readFile(file, 'utf8');
  return reply
    .type('text/html; charset=utf-8')
    .header('content-security-policy', reportPolicy(page))
    .header('x-frame-options', 'SAMEORIGIN')
    .send(page);
}
