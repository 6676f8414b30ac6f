/**
 * Turns measured steps into the printed table, the target verdicts and the rows of `.bench/results.json`.
 * MB means MiB (2^20 bytes) everywhere: sizes, throughput and peak RSS.
 */

const MIB = 1024 * 1024;

/**
 * Targets from the issues: ingest against `openssl dgst -sha256` of the corpus, each audit against its floor (the
 * same stored bytes read and hashed by openssl: from disk, or with GetObject from RGW), and a memory ceiling.
 */
export const TARGETS = {
  /** ingest MB/s against `zip -0 -r` then fsync of the same corpus (paired: adjacent steps of one round). */
  ingestVsDurable: 0.9,
  /** ingest CPU seconds per byte at most this many times zip+fsync's. */
  ingestCpuVsDurable: 1.5,
  /** audit --all MB/s against openssl over the stored ZIPs on every core (paired). */
  auditRatio: 0.8,
  /** audit --all MB/s against bagit-python validate of the same content. */
  auditVsBagit: 2,
  s3AuditRatio: 0.9,
  /** ingest into s3 MB/s against the SDK upload of the corpus as one ZIP. */
  s3IngestVsZip: 0.9,
  peakRssMiB: 150,
};

/** The floor each audit step is compared with: the same stored objects, read and hashed by openssl. */
const AUDIT_FLOORS = { audit: 'storedOpensslParallel', s3Audit: 's3GetHash' };

/** Steps paired with the floor measured right before them in the same round: [step, floor]. */
export const PAIRS = { ingest: 'zipDurable', audit: 'storedOpensslParallel' };

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * The paired ratios: in each round, the step's MB/s divided by its floor's MB/s measured just before it (so a
 * change of load between rounds touches both), and their median over the rounds.
 */
export function pairedRatios(rounds) {
  const rate = (m) => m.bytes / Math.max(m.run.seconds, 0.01);
  return Object.fromEntries(
    Object.entries(PAIRS)
      .filter(([step, floor]) => rounds.every((r) => r[step] && r[floor]))
      .map(([step, floor]) => {
        const perRound = rounds.map((r) => rate(r[step]) / rate(r[floor]));
        return [step, { floor, perRound, median: median(perRound) }];
      }),
  );
}

/**
 * One table row from a measurement.
 * @param {{ id: string, label: string, bytes: number, files: number, run: { seconds: number, peakRssKb: number,
 *   userSeconds: number, systemSeconds: number } }} step
 */
export function summarizeStep({ id, label, bytes, files, run, runs }) {
  const seconds = Math.max(run.seconds, 0.01);
  return {
    id,
    label,
    mb: bytes / MIB,
    files,
    seconds: run.seconds,
    mbPerSecond: bytes / MIB / seconds,
    filesPerSecond: files / seconds,
    peakRssMiB: run.peakRssKb / 1024,
    cpuSeconds: run.userSeconds + run.systemSeconds,
    runs,
  };
}

/**
 * Adds `vsOpenssl` (and `vsZip`, `vsZipDurable` for ingest, `vsS3Upload` and `vsS3Zip` for the S3 steps,
 * `vsAuditFloor` for the audits): this step's MB/s divided by the floor's; and `vsOpensslCpu`, `vsAuditFloorCpu`,
 * the same ratios per CPU second (user + system), which a busy shared machine disturbs less than wall time.
 */
export function addRatios(rows) {
  const openssl = rows.find((r) => r.id === 'openssl');
  const zip = rows.find((r) => r.id === 'zip');
  const zipDurable = rows.find((r) => r.id === 'zipDurable');
  const zipPerRecord = rows.find((r) => r.id === 'zipPerRecord');
  const zipVerified = rows.find((r) => r.id === 'zipVerified');
  const s3Upload = rows.find((r) => r.id === 's3Upload');
  const s3Zip = rows.find((r) => r.id === 's3ZipUpload');
  const perCpu = (r) => r.mb / Math.max(r.cpuSeconds, 0.01);
  const auditFloor = (r) => rows.find((f) => f.id === AUDIT_FLOORS[r.id]);
  return rows.map((r) => ({
    ...r,
    vsOpenssl: openssl ? r.mbPerSecond / openssl.mbPerSecond : undefined,
    vsOpensslCpu: openssl ? perCpu(r) / perCpu(openssl) : undefined,
    vsZip: zip && r.id === 'ingest' ? r.mbPerSecond / zip.mbPerSecond : undefined,
    vsZipDurable: zipDurable && r.id === 'ingest' ? r.mbPerSecond / zipDurable.mbPerSecond : undefined,
    vsZipPerRecord: zipPerRecord && r.id === 'ingest' ? r.mbPerSecond / zipPerRecord.mbPerSecond : undefined,
    vsZipVerified: zipVerified && r.id === 'ingest' ? r.mbPerSecond / zipVerified.mbPerSecond : undefined,
    vsZipVerifiedCpu: zipVerified && r.id === 'ingest' ? perCpu(r) / perCpu(zipVerified) : undefined,
    vsS3Upload: s3Upload && r.id.startsWith('s3') ? r.mbPerSecond / s3Upload.mbPerSecond : undefined,
    vsS3Zip: s3Zip && r.id.startsWith('s3') ? r.mbPerSecond / s3Zip.mbPerSecond : undefined,
    auditFloor: auditFloor(r)?.id,
    vsAuditFloor: auditFloor(r) ? r.mbPerSecond / auditFloor(r).mbPerSecond : undefined,
    vsAuditFloorCpu: auditFloor(r) ? perCpu(r) / perCpu(auditFloor(r)) : undefined,
  }));
}

const fixed = (n, digits) => (n === undefined ? '' : n.toFixed(digits));

/** Right-aligns numbers, left-aligns the first column. */
function formatTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function stepTable(rows) {
  const s3 = rows.some((r) => r.vsS3Upload !== undefined);
  const s3Zip = rows.some((r) => r.vsS3Zip !== undefined);
  const ratio = (n) => (n === undefined ? '' : `${fixed(n, 2)}x`);
  const header = [
    'step',
    'MB',
    'files',
    'seconds',
    'CPU s',
    'MB/s',
    'files/s',
    'peak RSS MB',
    'vs openssl',
    'vs zip -0',
    'vs zip+fsync',
    'vs zip per record+fsync',
    'vs C tools verified',
    ...(s3 ? ['vs s3 upload'] : []),
    ...(s3Zip ? ['vs s3 zip upload'] : []),
    'vs openssl per CPU s',
    'vs audit floor',
    'vs audit floor per CPU s',
  ];
  return formatTable(
    header,
    rows.map((r) => [
      r.label,
      fixed(r.mb, 1),
      String(r.files),
      fixed(r.seconds, 2),
      fixed(r.cpuSeconds, 2),
      fixed(r.mbPerSecond, 1),
      fixed(r.filesPerSecond, 0),
      fixed(r.peakRssMiB, 1),
      ratio(r.vsOpenssl),
      ratio(r.vsZip),
      ratio(r.vsZipDurable),
      ratio(r.vsZipPerRecord),
      ratio(r.vsZipVerified),
      ...(s3 ? [ratio(r.vsS3Upload)] : []),
      ...(s3Zip ? [ratio(r.vsS3Zip)] : []),
      ratio(r.vsOpensslCpu),
      ratio(r.vsAuditFloor),
      ratio(r.vsAuditFloorCpu),
    ]),
  );
}

export function digestTable(digests) {
  const rows = [];
  for (const d of digests) {
    for (const r of d.results) {
      const won = r.implementation === d.winner;
      rows.push([
        d.algorithm,
        r.implementation,
        fixed(r.mbPerSecond, 0),
        won ? `faster (${fixed(d.speedup, 2)}x)` : '',
        d.digestsAgree ? 'yes' : 'NO',
      ]);
    }
  }
  return formatTable(['algorithm', 'implementation', 'MB/s', 'winner', 'digests agree'], rows);
}

/**
 * PASS/FAIL verdicts for the targets; a target whose step is missing fails. The S3 audit target is judged only
 * when `s3` ran, the package-size one only when `rss` (from `runRssSteps`) is given.
 */
export function checkTargets(rows, { s3 = false, rss, paired = {} } = {}) {
  const ingest = rows.find((r) => r.id === 'ingest');
  const audit = rows.find((r) => r.id === 'audit');
  const zipDurable = rows.find((r) => r.id === 'zipDurable');
  const bagitValidate = rows.find((r) => r.id === 'bagitValidate');
  const s3Audit = rows.find((r) => r.id === 's3Audit');
  const peak = Math.max(ingest?.peakRssMiB ?? Number.POSITIVE_INFINITY, audit?.peakRssMiB ?? 0);
  const ratioTarget = (target, value, min) => ({
    target,
    actual: value === undefined ? 'not measured' : `${value.toFixed(2)}x`,
    pass: (value ?? 0) >= min,
  });
  const cpuPerMb = (r) => (r ? r.cpuSeconds / Math.max(r.mb, 0.001) : undefined);
  const targets = [
    ratioTarget(
      `ingest throughput >= ${TARGETS.ingestVsDurable}x zip -0 -r then fsync (paired, median of rounds)` +
        (ingest?.vsZipVerified !== undefined
          ? ` (the same verified work by C tools, a process per step per record: ` +
            `${ingest.vsZipVerified.toFixed(2)}x, per CPU s ${ingest.vsZipVerifiedCpu.toFixed(2)}x)`
          : ''),
      paired.ingest?.median,
      TARGETS.ingestVsDurable,
    ),
    {
      target: `ingest CPU per byte <= ${TARGETS.ingestCpuVsDurable}x zip -0 -r then fsync`,
      actual:
        ingest && zipDurable ? `${(cpuPerMb(ingest) / cpuPerMb(zipDurable)).toFixed(2)}x` : 'not measured',
      pass:
        Boolean(ingest && zipDurable) &&
        cpuPerMb(ingest) / cpuPerMb(zipDurable) <= TARGETS.ingestCpuVsDurable,
    },
    ratioTarget(
      `audit --all throughput >= ${TARGETS.auditRatio}x openssl of the stored ZIPs on every core (paired, median)`,
      paired.audit?.median,
      TARGETS.auditRatio,
    ),
    bagitValidate
      ? ratioTarget(
          `audit --all throughput >= ${TARGETS.auditVsBagit}x bagit-python validate of the same content`,
          audit ? audit.mbPerSecond / bagitValidate.mbPerSecond : undefined,
          TARGETS.auditVsBagit,
        )
      : {
          target: `audit --all >= ${TARGETS.auditVsBagit}x bagit-python validate`,
          actual: 'not measured (no bagit-python)',
          pass: false,
        },
  ];
  if (s3) {
    const s3Ingest = rows.find((r) => r.id === 's3Ingest');
    const readBack = rows.find((r) => r.id === 's3ZipUploadReadBack');
    targets.push(
      ratioTarget(
        `ingest into s3 throughput >= ${TARGETS.s3IngestVsZip}x s3 upload of one ZIP` +
          (s3Ingest && readBack
            ? ` (the upload then read-back of that ZIP, which ingest's verified copy implies: ` +
              `${(s3Ingest.mbPerSecond / readBack.mbPerSecond).toFixed(2)}x)`
            : ''),
        s3Ingest?.vsS3Zip,
        TARGETS.s3IngestVsZip,
      ),
      ratioTarget(
        `audit --all of s3 throughput >= ${TARGETS.s3AuditRatio}x s3 GetObject -> openssl dgst -sha256`,
        s3Audit?.vsAuditFloor,
        TARGETS.s3AuditRatio,
      ),
    );
  }
  targets.push({
    target: `peak RSS of bevara ingest and audit <= ${TARGETS.peakRssMiB} MB`,
    actual: Number.isFinite(peak)
      ? `ingest ${ingest.peakRssMiB.toFixed(1)} MB, audit ${audit?.peakRssMiB.toFixed(1) ?? '-'} MB`
      : 'not measured',
    pass: Number.isFinite(peak) && audit !== undefined && peak <= TARGETS.peakRssMiB,
  });
  if (rss) {
    const [small, large] = [rss.sizes[0], rss.sizes.at(-1)];
    targets.push({
      target:
        `peak RSS of audit --all independent of package size (${large.fileMiB} MiB file within ` +
        `${fixed(rss.allowedMiB, 1)} MB: +25% or +30 MB of the ${small.fileMiB} MiB one)`,
      actual: `${fixed(small.auditPeakRssMiB, 1)} MB -> ${fixed(large.auditPeakRssMiB, 1)} MB`,
      pass: rss.pass,
    });
  }
  return targets;
}

/** The package-size step as a table. */
export function rssTable(rss) {
  return formatTable(
    ['file in the record', 'package MB', 'audit s', 'audit peak RSS MB', 'ingest peak RSS MB'],
    rss.sizes.map((s) => [
      `${s.fileMiB} MiB`,
      fixed(s.packageMiB, 1),
      fixed(s.auditSeconds, 2),
      fixed(s.auditPeakRssMiB, 1),
      fixed(s.ingestPeakRssMiB, 1),
    ]),
  );
}
