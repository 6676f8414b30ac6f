import path from 'node:path';
import type { AppContext } from '../app/context.js';
import { approveDisposal } from '../disposal/approve.js';
import { planDisposal } from '../disposal/plan.js';
import { NotFoundError } from '../errors.js';
import { print, printJson, table } from './output.js';

/** Exit status of an approve whose proposal stays open only for copies under retention. */
const EXIT_WAITING = 3;

/** `bevara disposal plan --planner <who>`: what is due, written as a proposal. Never deletes. */
export async function disposalPlanCommand(
  ctx: AppContext,
  options: { planner: string; json?: boolean },
): Promise<number> {
  const result = await planDisposal(
    { catalog: ctx.catalog, rules: ctx.config.retention.rules, logger: ctx.logger, now: ctx.now },
    options.planner,
  );
  if (options.json) {
    printJson(result);
    return 0;
  }
  for (const u of result.undecidable) print(`  CANNOT DECIDE  ${u.packageId}  ${u.label}: ${u.reason}`);
  for (const id of result.alreadyProposed) print(`  ALREADY PROPOSED  ${id}`);
  if (result.items.length === 0) {
    print('Nothing is due for disposal.');
    return 0;
  }
  print(
    table(
      ['package', 'rule', 'action', 'status', 'why'],
      result.items.map((i) => [i.packageId, i.ruleId, i.action, i.status, i.detail ?? i.reason]),
    ),
  );
  print(
    result.proposal
      ? `Proposal ${result.proposal.id}: ${result.items.length} packages. Another person approves it: ` +
          `bevara disposal approve ${result.proposal.id} --approver <name>`
      : 'No proposal written: every record due is under a legal hold.',
  );
  return 0;
}

/** `bevara disposal approve <proposal> --approver <who>`: exit 0 done, 3 waiting for retention, 1 failures. */
export async function disposalApproveCommand(
  ctx: AppContext,
  id: string,
  options: { approver: string; json?: boolean },
): Promise<number> {
  const result = await approveDisposal(
    {
      catalog: ctx.catalog,
      locations: ctx.locations,
      rules: ctx.config.retention.rules,
      logger: ctx.logger,
      now: ctx.now,
      reportsDir: path.join(ctx.config.dataDir, 'reports'),
    },
    id,
    options.approver,
  );
  if (options.json) printJson(result);
  else {
    print(
      table(
        ['package', 'status', 'detail'],
        result.items.map((i) => [i.packageId, i.status, i.detail ?? '']),
      ),
    );
    print(
      result.proposal.status === 'completed'
        ? `Proposal ${id} completed.`
        : `Proposal ${id} stays open: ${result.waiting} waiting for retention, ${result.failed} failed; run approve again later.`,
    );
    print(`Certificate: ${result.certificate.join('  ')}`);
  }
  if (result.failed > 0) return 1;
  return result.waiting > 0 ? EXIT_WAITING : 0;
}

/** `bevara disposal list`: proposals, newest first. */
export async function disposalListCommand(ctx: AppContext, options: { json?: boolean }): Promise<number> {
  const proposals = await ctx.catalog.listProposals();
  if (options.json) printJson(proposals);
  else
    print(
      proposals.length === 0
        ? 'No disposal proposals.'
        : table(
            ['proposal', 'status', 'planned by', 'approved by'],
            proposals.map((p) => [p.id, p.status, p.plannedBy, p.approvedBy ?? '']),
          ),
    );
  return 0;
}

/** `bevara disposal show <proposal>`: the proposal, its items and the tombstones written. */
export async function disposalShowCommand(
  ctx: AppContext,
  id: string,
  options: { json?: boolean },
): Promise<number> {
  const proposal = await ctx.catalog.getProposal(id);
  if (!proposal) throw new NotFoundError(`[disposal] no proposal "${id}"`);
  const items = await ctx.catalog.listDisposalItems({ proposalId: id });
  const tombstones = await ctx.catalog.listTombstones({ proposalId: id });
  if (options.json) printJson({ proposal, items, tombstones });
  else {
    print(
      `${proposal.id}: ${proposal.status}, planned by ${proposal.plannedBy}, approved by ${proposal.approvedBy ?? '—'}`,
    );
    print(
      table(
        ['package', 'rule', 'status', 'why'],
        items.map((i) => [i.packageId, i.ruleId, i.status, i.detail ?? i.reason]),
      ),
    );
  }
  return 0;
}
