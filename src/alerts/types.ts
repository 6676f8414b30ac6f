/**
 * Alerts tell operations staff that an audit needs attention. An audit outcome becomes alerts through
 * `alertsFromAudit` (pure), and an `Alerter` delivers a batch of them (a webhook, or nothing at all).
 */

/** What an alert is about; receivers route on it. */
export type AlertKind = 'failure' | 'repair' | 'damaged' | 'coverage' | 'orphans';

/** `critical`: data is at risk now; `warning`: act soon; `info`: for the record. */
export type AlertSeverity = 'critical' | 'warning' | 'info';

/** Severities from the most to the least urgent. */
export const SEVERITY_ORDER: readonly AlertSeverity[] = ['critical', 'warning', 'info'];

export interface Alert {
  kind: AlertKind;
  severity: AlertSeverity;
  /** The audit run the alert comes from, as recorded in the catalog. */
  runId: string;
  /** One line for people (English, no line breaks); never parse it: use `details`. */
  title: string;
  /** Machine-readable facts: counts, package ids, locations, rules. Plain JSON values only. */
  details: Record<string, unknown>;
}

/** The outcome of one `Alerter.send`. Carries no secret: URLs in it are masked. */
export interface AlertDelivery {
  /** True when the receiver accepted the batch (2xx), or when there was nothing to send. */
  delivered: boolean;
  /** Requests made, the first included (0 when nothing was sent). */
  attempts: number;
  /** HTTP status of the last answer, when there was one. */
  status?: number;
  /** Why the last attempt failed, with the URL's userinfo and query masked. */
  error?: string;
  /** Where the batch went, masked (`https://***@host/path?token=***`); absent for the no-op alerter. */
  target?: string;
  /** The `Idempotency-Key` every attempt of this send carried; receivers deduplicate on it. */
  idempotencyKey?: string;
}

/** Delivers alerts. `send` never throws: a failed delivery is reported in the result, not as an exception. */
export interface Alerter {
  send(alerts: Alert[]): Promise<AlertDelivery>;
}

/** The alerter used when no alert target is configured: accepts every batch and sends nothing. */
export function createNoAlerts(): Alerter {
  return { send: async () => ({ delivered: true, attempts: 0 }) };
}

/** A copy that failed its check in an audit run. */
export interface AuditFailedCopy {
  packageId: string;
  /** Location name, as in the configuration. */
  location: string;
  /** Stable identifiers of what failed, e.g. `fixity.sha256`, `copy.missing`. */
  rules: string[];
}

/** A copy rewritten during the run from a good copy elsewhere. */
export interface AuditRepairedCopy {
  packageId: string;
  /** The location whose copy was repaired. */
  location: string;
  /** The location the good bytes came from. */
  from: string;
}

/** A package with no healthy copy left anywhere. */
export interface AuditDamagedPackage {
  packageId: string;
  /** A human label (record title or reference) when the catalog has one. */
  label?: string;
}

/** How far one location's copies are verified within the audit policy's period. */
export interface AuditCoverage {
  location: string;
  /** Copies at the location verified within the last `periodDays` days. */
  withinPolicy: number;
  /** Copies at the location in the catalog. */
  copies: number;
  /** The policy's period: every copy should be verified at least this often. */
  periodDays: number;
}

/** What `alertsFromAudit` reads from an audit outcome. */
export interface AuditAlertInput {
  runId: string;
  failed: AuditFailedCopy[];
  repaired: AuditRepairedCopy[];
  damaged: AuditDamagedPackage[];
  /** Objects found in storage that the catalog does not know. */
  orphans: number;
  coverage: AuditCoverage[];
  /**
   * Share of a location's copies (0..1) that must be verified within the period; below it the location is
   * behind. Default 1.0: every copy within policy.
   */
  coverageThreshold?: number;
}
