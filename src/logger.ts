import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export interface LoggerOptions {
  level: string;
  /** `auto`: pretty when stderr is a terminal, JSON lines otherwise. */
  format: 'auto' | 'json' | 'pretty';
  /** Defaults to stderr (fd 2): stdout carries command results only. */
  destination?: number;
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

/** Creates the root logger. Modules receive it (or a child with bindings) as a dependency. */
export function createLogger(options: LoggerOptions): Logger {
  const fd = options.destination ?? 2;
  const usePretty =
    options.format === 'pretty' || (options.format === 'auto' && fd === 2 && process.stderr.isTTY);
  const base = { level: options.level, redact: { paths: REDACT, censor: '***' }, base: { app: 'bevara' } };
  if (usePretty) {
    return pino(base, pretty({ destination: fd, sync: true, colorize: true, ignore: 'pid,hostname,app' }));
  }
  return pino(base, pino.destination({ dest: fd, sync: true }));
}
