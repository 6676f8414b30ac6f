/**
 * The OpenAPI 3.1 description of the JSON API, served at `/api/openapi.json`. Written by hand from one table of
 * operations; a test holds it to the routes the server registers, so neither can drift. Each operation names
 * the permission it needs (`x-bevara-permission`; `public` needs no login).
 */
import { bevaraVersion } from '../../version.js';
import type { Access } from '../server.js';

interface Operation {
  method: 'get' | 'post' | 'delete';
  path: string;
  permission: Access;
  summary: string;
  /** Schema name in components of the JSON body. */
  body?: string;
  /** Schema name (or `binary`) of the success response, and its status. */
  response?: { status: number; schema?: string };
  query?: string[];
}

const S = (name: string) => ({ $ref: `#/components/schemas/${name}` });

export const OPERATIONS: Operation[] = [
  {
    method: 'post',
    path: '/api/login',
    permission: 'public',
    summary: 'Log in; sets the session cookie and returns the CSRF token',
    body: 'Login',
    response: { status: 200, schema: 'Session' },
  },
  {
    method: 'post',
    path: '/api/logout',
    permission: 'read',
    summary: 'End this session',
    response: { status: 204 },
  },
  {
    method: 'get',
    path: '/api/session',
    permission: 'read',
    summary: 'Who is signed in, what the role may do, the CSRF token',
    response: { status: 200, schema: 'Session' },
  },
  { method: 'get', path: '/api/openapi.json', permission: 'read', summary: 'This document' },
  {
    method: 'get',
    path: '/api/overview',
    permission: 'read',
    summary: 'Locations, open problems, totals, last runs',
    response: { status: 200, schema: 'Overview' },
  },
  {
    method: 'get',
    path: '/api/jobs',
    permission: 'read',
    summary: 'Every job with its last run',
    response: { status: 200, schema: 'Jobs' },
  },
  {
    method: 'post',
    path: '/api/jobs',
    permission: 'jobs',
    summary: 'Add a job (the checks of bevara jobs add)',
    body: 'JobInput',
    response: { status: 201, schema: 'Job' },
  },
  {
    method: 'get',
    path: '/api/jobs/{name}',
    permission: 'read',
    summary: 'One job: definition, last runs, records by state',
  },
  {
    method: 'post',
    path: '/api/jobs/{name}/pause',
    permission: 'jobs',
    summary: 'Stop scheduled runs of a job',
    response: { status: 200, schema: 'Job' },
  },
  {
    method: 'post',
    path: '/api/jobs/{name}/resume',
    permission: 'jobs',
    summary: 'Run a paused job on its schedule again',
    response: { status: 200, schema: 'Job' },
  },
  {
    method: 'post',
    path: '/api/jobs/{name}/run',
    permission: 'jobs',
    summary: 'Run a job now, in the background (joins a run still running)',
    response: { status: 202, schema: 'Run' },
  },
  {
    method: 'get',
    path: '/api/runs',
    permission: 'read',
    summary: 'Runs, newest first',
    query: ['job', 'kind', 'limit'],
    response: { status: 200, schema: 'RunRows' },
  },
  {
    method: 'get',
    path: '/api/runs/{id}',
    permission: 'read',
    summary: 'One run: counts, records that need attention (rule, record, file), progress',
    response: { status: 200, schema: 'RunDetail' },
  },
  {
    method: 'get',
    path: '/api/packages',
    permission: 'read',
    summary: 'Search packages, newest first, a page at a time',
    query: [
      'text',
      'identifier',
      'creator',
      'archiveCreator',
      'classification',
      'from',
      'to',
      'file',
      'digest',
      'puid',
      'state',
      'limit',
      'after',
    ],
    response: { status: 200, schema: 'SearchPage' },
  },
  {
    method: 'get',
    path: '/api/packages/{id}',
    permission: 'read',
    summary: 'One package: metadata, files, copies, PREMIS events',
    response: { status: 200, schema: 'PackageDetail' },
  },
  {
    method: 'get',
    path: '/api/packages/{id}/download',
    permission: 'download',
    summary:
      'The whole record: format=dip (default) an E-ARK DIP made as it streams, zip its files, aip the stored package; ' +
      'every file verified against its SHA-256 (restricted: archivist)',
    query: ['format'],
    response: { status: 200, schema: 'binary' },
  },
  {
    method: 'get',
    path: '/api/packages/{id}/file',
    permission: 'download',
    summary: 'One file of a package, verified against its SHA-256 as it streams (restricted: archivist)',
    query: ['path'],
    response: { status: 200, schema: 'binary' },
  },
  {
    method: 'get',
    path: '/api/audits',
    permission: 'read',
    summary: 'Audit runs, newest first',
    query: ['limit'],
    response: { status: 200, schema: 'AuditRows' },
  },
  {
    method: 'post',
    path: '/api/audits',
    permission: 'audits',
    summary: 'Run one planned audit now, in the background',
    response: { status: 202 },
  },
  {
    method: 'get',
    path: '/api/audits/{id}',
    permission: 'read',
    summary: 'One audit run: counts and the copies that need attention',
  },
  {
    method: 'get',
    path: '/api/orphans',
    permission: 'read',
    summary: 'Objects in the locations the catalog does not know, listed now',
    query: ['location'],
  },
  {
    method: 'post',
    path: '/api/orphans/remove',
    permission: 'audits',
    summary: 'Delete one unknown object, recorded with who and why',
    body: 'OrphanDecision',
  },
  {
    method: 'post',
    path: '/api/orphans/keep',
    permission: 'audits',
    summary: 'Keep one unknown object as known, recorded with who and why',
    body: 'OrphanDecision',
  },
  {
    method: 'post',
    path: '/api/runs/{id}/retry',
    permission: 'jobs',
    summary: 'Retry a failed or waiting record of the run: a new run of its job now (202, the new run)',
    body: 'RetryRecord',
    response: { status: 202, schema: 'Run' },
  },
  {
    method: 'get',
    path: '/api/quarantine',
    permission: 'read',
    summary: 'Records ingest refused, awaiting a decision, newest first: rule, record, file, where it is',
    query: ['job'],
    response: { status: 200, schema: 'QuarantineEntries' },
  },
  {
    method: 'get',
    path: '/api/quarantine/{id}',
    permission: 'read',
    summary: 'One refused record: its problems, where it is, a SIP validation report, the decision if made',
    response: { status: 200, schema: 'QuarantineEntry' },
  },
  {
    method: 'post',
    path: '/api/quarantine/{id}/release',
    permission: 'jobs',
    summary: 'Give a refused record back to its inbox (never over anything); the next run takes it again',
    body: 'QuarantineRelease',
    response: { status: 200, schema: 'QuarantineDecision' },
  },
  {
    method: 'post',
    path: '/api/quarantine/{id}/discard',
    permission: 'jobs',
    summary:
      'Delete a refused record from quarantine for good (never from the inbox); needs confirm and a reason',
    body: 'QuarantineDiscard',
    response: { status: 200, schema: 'QuarantineDecision' },
  },
  { method: 'get', path: '/api/users', permission: 'users', summary: 'Console accounts' },
  {
    method: 'post',
    path: '/api/users',
    permission: 'users',
    summary: 'Add an account',
    body: 'UserInput',
    response: { status: 201, schema: 'User' },
  },
  {
    method: 'delete',
    path: '/api/users/{name}',
    permission: 'users',
    summary: 'Remove an account and end its sessions',
    response: { status: 204 },
  },
];

const text = { type: 'string' };
const count = { type: 'integer', minimum: 0 };
const time = { type: 'string', format: 'date-time' };
const loose = { type: 'object', additionalProperties: true };

const SCHEMAS: Record<string, object> = {
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details; `rule` names the rule broken, as the CLI prints it',
    required: ['type', 'title', 'status', 'detail'],
    properties: {
      type: text,
      title: text,
      status: { type: 'integer' },
      detail: text,
      rule: text,
      errors: {
        type: 'array',
        items: { type: 'object', properties: { field: text, rule: text, message: text } },
      },
    },
  },
  Login: {
    type: 'object',
    required: ['name', 'password'],
    properties: { name: text, password: { type: 'string', format: 'password' } },
  },
  Session: {
    type: 'object',
    properties: {
      user: {
        type: 'object',
        properties: { name: text, role: { enum: ['reader', 'archivist', 'operations', 'admin'] } },
      },
      permissions: { type: 'array', items: text },
      csrfToken: { type: 'string', description: 'Send as X-CSRF-Token with every POST and DELETE' },
      expiresAt: time,
    },
  },
  JobInput: {
    type: 'object',
    required: ['name', 'source'],
    properties: {
      name: text,
      source: { type: 'string', description: 'folder:<dir>, bagit:<dir> or eark-sip:<dir>' },
      profile: text,
      cron: text,
      timezone: text,
      afterSuccess: { type: 'string', description: 'leave | mark | move:<dir>' },
      quarantine: text,
      maxRecords: { type: ['integer', 'string'] },
      maxBytes: { type: ['integer', 'string'], description: 'bytes, or e.g. 50GB' },
      disabled: { type: 'boolean' },
    },
  },
  Job: loose,
  Jobs: { type: 'array', items: S('Job') },
  Run: loose,
  RunRows: { type: 'array', items: loose },
  RunDetail: {
    type: 'object',
    properties: {
      id: text,
      kind: { enum: ['ingest', 'audit'] },
      status: { enum: ['running', 'succeeded', 'completed-with-failures', 'failed'] },
      counts: { type: 'object', additionalProperties: count },
      problems: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            subject: text,
            status: text,
            reason: text,
            rules: { type: 'array', items: text },
            files: { type: 'array', items: text },
          },
        },
      },
      progress: {
        type: 'object',
        properties: {
          total: count,
          done: count,
          recordsPerSecond: { type: 'number' },
          etaSeconds: { type: 'number' },
        },
      },
      startedBy: text,
    },
  },
  SearchPage: {
    type: 'object',
    properties: {
      packages: { type: 'array', items: loose },
      next: { type: 'string', description: 'pass as `after` for the next page' },
    },
  },
  PackageDetail: {
    type: 'object',
    properties: {
      package: loose,
      restricted: { type: 'boolean' },
      files: { type: 'array', items: loose },
      copies: { type: 'array', items: loose },
      events: { type: 'array', items: loose },
    },
  },
  Overview: loose,
  AuditRows: { type: 'array', items: loose },
  OrphanDecision: {
    type: 'object',
    required: ['object', 'reason'],
    properties: {
      object: { type: 'string', description: '<location>:<key>, as GET /api/orphans names it' },
      reason: text,
    },
  },
  QuarantineEntry: {
    type: 'object',
    properties: {
      id: { type: 'string', description: '12 hex digits' },
      job: text,
      sourceKind: { enum: ['folder', 'bagit', 'eark-sip', 'unknown'] },
      record: text,
      runId: text,
      quarantinedAt: time,
      reason: text,
      problems: {
        type: 'array',
        items: { type: 'object', properties: { rule: text, file: text, message: text } },
      },
      place: {
        type: 'object',
        properties: { kind: { enum: ['moved', 'in-place'] }, path: text },
      },
      sourceRoot: text,
      sipCopy: text,
      reports: { type: 'array', items: text },
      validation: { type: 'string', description: 'a refused SIP: its validation report as text' },
      decision: S('QuarantineDecision'),
    },
  },
  RetryRecord: {
    type: 'object',
    required: ['record'],
    properties: { record: { type: 'string', description: 'the record key, as the run lists it' } },
  },
  QuarantineEntries: { type: 'array', items: S('QuarantineEntry') },
  QuarantineRelease: { type: 'object', properties: { reason: text } },
  QuarantineDiscard: {
    type: 'object',
    required: ['reason', 'confirm'],
    properties: { reason: text, confirm: { const: true } },
  },
  QuarantineDecision: {
    type: 'object',
    properties: {
      decision: { enum: ['release', 'discard'] },
      by: text,
      reason: text,
      at: time,
      runId: text,
      outcome: text,
      changed: { type: 'boolean', description: 'false: the same decision had been made before' },
    },
  },
  UserInput: {
    type: 'object',
    required: ['name', 'role', 'password'],
    properties: {
      name: text,
      role: { enum: ['reader', 'archivist', 'operations', 'admin'] },
      password: { type: 'string', format: 'password', minLength: 12 },
    },
  },
  User: { type: 'object', properties: { name: text, role: text, createdAt: time, updatedAt: time } },
};

function operation(op: Operation) {
  const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: text,
  }));
  const query = (op.query ?? []).map((name) => ({ name, in: 'query', required: false, schema: text }));
  const ok = op.response ?? { status: 200 };
  const content =
    ok.schema === 'binary'
      ? { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } }
      : { 'application/json': { schema: ok.schema ? S(ok.schema) : loose } };
  const problem = { content: { 'application/problem+json': { schema: S('Problem') } } };
  return {
    summary: op.summary,
    'x-bevara-permission': op.permission,
    ...(op.permission === 'public' ? { security: [] } : {}),
    ...(params.length + query.length > 0 ? { parameters: [...params, ...query] } : {}),
    ...(op.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: S(op.body) } } } }
      : {}),
    responses: {
      [String(ok.status)]: { description: 'done', ...(ok.status === 204 ? {} : { content }) },
      ...(op.permission === 'public'
        ? {}
        : {
            '401': { description: 'no session', ...problem },
            '403': { description: 'role may not, or CSRF token missing or wrong', ...problem },
          }),
      default: { description: 'a problem', ...problem },
    },
  };
}

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    paths[op.path] ??= {};
    (paths[op.path] as Record<string, unknown>)[op.method] = operation(op);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'bevara console API',
      version: bevaraVersion(),
      description:
        "The JSON API of `bevara serve`. Log in with POST /api/login (or the login page); the session is a cookie. Every POST and DELETE carries the session's CSRF token in X-CSRF-Token. Errors are application/problem+json.",
    },
    components: {
      schemas: SCHEMAS,
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: '__Host-bevara-session' } },
    },
    security: [{ session: [] }],
    paths,
  };
}
