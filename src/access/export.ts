/**
 * `bevara export`: hands records out to a requester as E-ARK DIPs, a plain folder or a plain ZIP, with a receipt.
 *
 *   select (ids or a search) ─► restricted? refuse unless released explicitly, with to whom and why
 *     ─► write into a temporary name beside the output, every file verified on the way, copy by copy
 *     ─► receipt (JSON + HTML) ─► dissemination events in the catalog ─► rename into place
 *
 * The output appears whole or not at all: a run that is killed leaves only a `.<name>.partial-<random>` beside it;
 * an output that exists already is never written into.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { compactTime } from '../catalog/run-id.js';
import type { EventRecord, PackageRecord } from '../model/package.js';
import { errorMessage, ValidationError } from '../errors.js';
import { newPackageId } from '../package/package-id.js';
import type { Profile } from '../package/profile.js';
import { disseminationEvent } from './dissemination.js';
import { recordHandOut } from './hand-out-stream.js';
import { type HandOutDeps, writeDipFile, writeFolder } from './hand-out.js';
import { type Receipt, type ReceiptRecord, receiptHtml, receiptJson } from './receipt.js';
import { checkRelease, type RestrictedRelease } from './restriction.js';
import { selectPackages } from './select.js';
import { writeZipFile } from './zip-export.js';

export type ExportFormat = Receipt['format'];

export interface ExportOptions extends RestrictedRelease {
  /** Package ids and search criteria (see `selectPackages`). */
  targets: string[];
  /** A folder (created; must not exist or be empty), or a `.zip` file (must not exist). */
  out: string;
  format: ExportFormat;
  /** The archive's user handing the records out. */
  by: string;
}

export interface ExportDeps extends HandOutDeps {
  /** The DIP profile with the organisation's header. */
  dipProfile: Profile;
}

export interface ExportResult {
  receipt: Receipt;
  /** Where the receipt was written: JSON and HTML. */
  receiptFiles: string[];
}

interface Planned {
  pkg: PackageRecord;
  event: EventRecord;
}

export async function exportRecords(deps: ExportDeps, options: ExportOptions): Promise<ExportResult> {
  const packages = await selectPackages(deps.catalog, options.targets);
  checkRelease(packages, options);
  const output = await planOutput(options, packages.length);
  const at = deps.now();
  const exportId = `export-${compactTime(at)}-${randomBytes(3).toString('hex')}`;
  const handOut = {
    by: options.by,
    what: { dip: 'an E-ARK DIP', folder: 'a folder of files', zip: 'a ZIP of files' }[options.format],
    ...(options.requester ? { requester: options.requester } : {}),
    ...(options.reason ? { reason: options.reason } : {}),
  };
  const planned = packages.map((pkg) => ({ pkg, event: disseminationEvent(pkg, handOut, at, exportId) }));
  const receipt: Receipt = {
    exportId,
    createdAt: at.toISOString(),
    format: options.format,
    output: output.final,
    by: options.by,
    ...(options.requester ? { requester: options.requester } : {}),
    ...(options.reason ? { reason: options.reason } : {}),
    records: [],
  };
  try {
    await writeAll(deps, options.format, output, planned, receipt);
    const recorded: Planned[] = [];
    const receiptFiles = await placeOutput(output, receipt, async () => {
      for (const p of planned) {
        await recordHandOut(deps, p.pkg, p.event);
        recorded.push(p);
      }
    }).catch(async (err: unknown) => {
      await recordUndone(deps, recorded, err);
      throw err;
    });
    deps.logger.info(
      { exportId, records: receipt.records.length, format: options.format, by: options.by },
      'records handed out',
    );
    return { receipt, receiptFiles };
  } finally {
    for (const temp of [output.temp, `${output.temp}.json`, `${output.temp}.html`])
      await fs.rm(temp, { recursive: true, force: true });
  }
}

/**
 * The events are recorded before the output is put in place (a release is never unrecorded); when it then cannot
 * be put in place (its name taken meanwhile), each gets a failed `dissemination` event saying so.
 */
async function recordUndone(deps: ExportDeps, recorded: Planned[], err: unknown): Promise<void> {
  for (const { pkg, event } of recorded) {
    await deps.catalog
      .addEvent({
        ...event,
        id: `${event.id}-undone`,
        at: deps.now(),
        outcome: 'failure',
        detail: `not handed out after all (event ${event.id}): ${errorMessage(err)}`,
      })
      .catch((e) => deps.logger.error({ packageId: pkg.id, err: errorMessage(e) }, 'event not recorded'));
  }
}

async function writeAll(
  deps: ExportDeps,
  format: ExportFormat,
  output: OutputPlan,
  planned: Planned[],
  receipt: Receipt,
): Promise<void> {
  if (format === 'zip') {
    const written = await writeZipFile(deps, planned, output.temp);
    receipt.records.push(...written.records);
    receipt.zip = { ...written.zip, file: path.basename(output.final) };
    return;
  }
  if (output.kind === 'dir') await fs.mkdir(output.temp, { mode: 0o755 });
  for (const { pkg, event } of planned) {
    const record: ReceiptRecord =
      format === 'folder'
        ? await writeFolder(deps, pkg, event, path.join(output.temp, pkg.id))
        : await writeDip(deps, output, pkg, event);
    receipt.records.push(record);
  }
}

function writeDip(deps: ExportDeps, output: OutputPlan, pkg: PackageRecord, event: EventRecord) {
  const dipId = newPackageId(deps.now());
  const target = output.kind === 'dir' ? path.join(output.temp, `${dipId}.zip`) : output.temp;
  return writeDipFile(deps, pkg, deps.dipProfile, event, target, dipId);
}

interface OutputPlan {
  kind: 'dir' | 'file';
  /** The output as asked for, absolute. */
  final: string;
  /** Where it is written first: `.<name>.partial-<random>` in the same folder. */
  temp: string;
  /** Receipt files beside a file output (`<name>.receipt.json|html`); inside a folder output. */
  receipts: { json: string; html: string };
}

async function planOutput(options: ExportOptions, count: number): Promise<OutputPlan> {
  const final = path.resolve(options.out);
  const isZip = /\.zip$/i.test(final);
  const kind = options.format === 'zip' || (options.format === 'dip' && isZip) ? 'file' : 'dir';
  if (kind === 'file' && options.format === 'dip' && count > 1)
    throw new ValidationError(
      'export-out',
      `[export] ${count} records make ${count} DIPs: --out must be a folder, not ${options.out}`,
    );
  const parent = path.dirname(final);
  await fs.mkdir(parent, { recursive: true });
  const temp = path.join(parent, `.${path.basename(final)}.partial-${randomBytes(6).toString('hex')}`);
  const stem = final.replace(/\.zip$/i, '');
  const receipts =
    kind === 'file'
      ? { json: `${stem}.receipt.json`, html: `${stem}.receipt.html` }
      : { json: path.join(final, 'receipt.json'), html: path.join(final, 'receipt.html') };
  for (const taken of kind === 'file' ? [final, receipts.json, receipts.html] : [])
    if (await exists(taken))
      throw new ValidationError('export-exists', `[export] ${taken} exists; nothing is written over it`);
  if (kind === 'dir' && (await exists(final)) && !(await isEmptyFolder(final)))
    throw new ValidationError('export-exists', `[export] ${final} exists and is not an empty folder`);
  return { kind, final, temp, receipts };
}

/**
 * Writes the receipt, runs `beforePlacing` (the events are recorded before anything is handed out), then puts
 * the output in place: a folder by one rename (over an empty folder at most), a file by a link that fails if the
 * name has been taken meanwhile.
 */
async function placeOutput(output: OutputPlan, receipt: Receipt, beforePlacing: () => Promise<void>) {
  const texts = { json: receiptJson(receipt), html: receiptHtml(receipt) };
  if (output.kind === 'dir') {
    await fs.writeFile(path.join(output.temp, 'receipt.json'), texts.json, { flag: 'wx' });
    await fs.writeFile(path.join(output.temp, 'receipt.html'), texts.html, { flag: 'wx' });
    await beforePlacing();
    await fs.rename(output.temp, output.final).catch(taken(output.final));
    return [output.receipts.json, output.receipts.html];
  }
  // Beside a file: the receipts are written under temporary names first, so that none is ever found half written.
  for (const kind of ['json', 'html'] as const)
    await fs.writeFile(`${output.temp}.${kind}`, texts[kind], { flag: 'wx' });
  await beforePlacing();
  await fs.link(output.temp, output.final).catch(taken(output.final));
  for (const kind of ['json', 'html'] as const)
    await fs.link(`${output.temp}.${kind}`, output.receipts[kind]).catch(taken(output.receipts[kind]));
  return [output.receipts.json, output.receipts.html];
}

/** The output's name was taken while it was being written (another export at once): nothing is replaced. */
const taken = (final: string) => (err: NodeJS.ErrnoException) => {
  if (!['EEXIST', 'ENOTEMPTY', 'ENOTDIR', 'EISDIR'].includes(err.code ?? '')) throw err;
  throw new ValidationError(
    'export-exists',
    `[export] ${final} was taken meanwhile; nothing is written over it`,
  );
};

const exists = (file: string) =>
  fs.lstat(file).then(
    () => true,
    () => false,
  );

async function isEmptyFolder(dir: string): Promise<boolean> {
  const stat = await fs.lstat(dir);
  return stat.isDirectory() && !stat.isSymbolicLink() && (await fs.readdir(dir)).length === 0;
}
