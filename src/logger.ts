import pino, { type Logger } from 'pino';
import { createRequire } from 'node:module';
import { maskUrlText } from './config/mask.js';
import { printableDeep } from './printable.js';

export type { Logger };

export interface LoggerOptions {
  level: string;
  /** `auto`: pretty when `sink` is a terminal, JSON lines otherwise. */
  format: 'auto' | 'json' | 'pretty';
  /** Where log lines go. Default: stderr (stdout carries command results only). */
  sink?: { write(text: string): void; isTTY?: boolean };
}

/** Values under these keys are replaced before a log line is written, wherever they appear. */
const REDACT = [
  '*.secretAccessKey',
  '*.sessionToken',
  '*.password',
  '*.token',
  '*.authorization',
  '*.secret',
];

/**
 * Creates the root logger. Modules receive it (or a child with bindings) as a dependency. Every line has the URLs
 * in it masked (`maskUrlText`); pretty lines, meant for a person at a terminal, also have their control characters
 * written visibly (a record's title or file name could hold an escape sequence).
 */
export function createLogger(options: LoggerOptions): Logger {
  const sink = options.sink ?? {
    write: (text: string) => process.stderr.write(text),
    isTTY: process.stderr.isTTY,
  };
  const usePretty = options.format === 'pretty' || (options.format === 'auto' && sink.isTTY === true);
  const base = { level: options.level, redact: { paths: REDACT, censor: '***' }, base: { app: 'bevara' } };
  if (usePretty) {
    // Required only for a terminal: JSON logs (services, CI) never load it.
    const { prettyFactory } = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
    const prettify = prettyFactory({
      colorize: sink.isTTY === true,
      ignore: 'pid,hostname,app',
      singleLine: true,
      translateTime: 'HH:MM:ss',
    });
    return pino(base, {
      write: (line: string) => sink.write(prettify(printableDeep(JSON.parse(maskUrlText(line))) as object)),
    });
  }
  const out = options.sink ?? pino.destination({ dest: 2, sync: true });
  return pino(base, { write: (line: string) => out.write(maskUrlText(line)) });
}
