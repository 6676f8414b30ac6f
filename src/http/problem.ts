/**
 * Errors as RFC 9457 problem details (`application/problem+json`): `type`, `title`, `status`, `detail`, and
 * `rule` when a `ValidationError` names the rule broken, so that a client branches on the same rule ids the CLI
 * prints. A rule's type is `urn:bevara:rule:<rule>`; other problems are `about:blank` with the HTTP title.
 */
import { STATUS_CODES } from 'node:http';
import {
  ConfigError,
  FixityError,
  NotFoundError,
  PreservationError,
  UnavailableError,
  ValidationError,
} from '../errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The rule broken, as the CLI names it (e.g. `job-cron`, `restricted-download`). */
  rule?: string;
  /** Field by field, when a form or request body had several problems. */
  errors?: { field: string; rule: string; message: string }[];
}

export const PROBLEM_TYPE = 'application/problem+json';

/** An error the HTTP layer raises itself: a status, an optional rule and a message for people. */
export class HttpProblem extends PreservationError {
  override readonly code = 'E_HTTP';
  constructor(
    readonly status: number,
    message: string,
    readonly rule?: string,
  ) {
    super(message);
  }
}

export function problem(status: number, detail: string, rule?: string, errors?: Problem['errors']): Problem {
  return {
    type: rule ? `urn:bevara:rule:${rule}` : 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    ...(rule ? { rule } : {}),
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/** Field issues a `ValidationError` carries (see `JobSpecError`), if any. */
function issuesOf(err: ValidationError): Problem['errors'] {
  const issues = (err as { issues?: unknown }).issues;
  if (!Array.isArray(issues)) return undefined;
  return issues.map((i: { field: string; rule: string; message: string }) => ({
    field: i.field,
    rule: i.rule,
    message: i.message,
  }));
}

/**
 * The problem an error is told as. `exposed` is false for errors of unknown kind: their message may hold
 * internals, so the client gets a generic detail and the log gets the error.
 */
export function problemOf(err: unknown): { problem: Problem; exposed: boolean } {
  if (err instanceof HttpProblem)
    return { problem: problem(err.status, err.message, err.rule), exposed: true };
  if (err instanceof ValidationError)
    return { problem: problem(422, err.message, err.rule, issuesOf(err)), exposed: true };
  if (err instanceof ConfigError)
    return {
      problem: problem(
        422,
        err.message,
        'config',
        err.issues.map((i) => ({ field: i.path, rule: 'config', message: i.message })),
      ),
      exposed: true,
    };
  if (err instanceof NotFoundError) return { problem: problem(404, err.message), exposed: true };
  if (err instanceof FixityError) return { problem: problem(502, err.message, 'fixity'), exposed: true };
  if (err instanceof UnavailableError) return { problem: problem(503, err.message), exposed: true };
  if (err instanceof PreservationError) return { problem: problem(500, err.message), exposed: true };
  const status = (err as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // fastify's own: a body that does not parse or match its schema, a body too large, an unknown media type.
    const code = (err as { code?: unknown }).code;
    const rule = code === 'FST_ERR_VALIDATION' ? 'request-invalid' : undefined;
    return { problem: problem(status, (err as Error).message, rule), exposed: true };
  }
  return { problem: problem(500, 'internal error; the server log has the details'), exposed: false };
}
