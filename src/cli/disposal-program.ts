import type { Command } from 'commander';
import type { AppContext, GlobalOptions } from '../app/context.js';
import type { HoldAddOptions } from './holds.js';
import { lazy } from './lazy.js';

const disposalApproveCommand = lazy(() => import('./disposal.js'), 'disposalApproveCommand');
const disposalListCommand = lazy(() => import('./disposal.js'), 'disposalListCommand');
const disposalPlanCommand = lazy(() => import('./disposal.js'), 'disposalPlanCommand');
const disposalShowCommand = lazy(() => import('./disposal.js'), 'disposalShowCommand');
const holdAddCommand = lazy(() => import('./holds.js'), 'holdAddCommand');
const holdListCommand = lazy(() => import('./holds.js'), 'holdListCommand');
const holdReleaseCommand = lazy(() => import('./holds.js'), 'holdReleaseCommand');

type WithContext = (
  program: Command,
  run: (ctx: AppContext, options: GlobalOptions) => Promise<number>,
) => () => Promise<void>;

/** `hold add|release|list` and `disposal plan|approve|list|show`. */
export function addDisposalCommands(program: Command, withContext: WithContext): void {
  const hold = program.command('hold').description('legal holds: packages that must not be disposed of');
  hold
    .command('add [package]')
    .description('hold a package (every version of its record) or every record matching a query')
    .option('--classification <code>', 'this classification code and every code below it')
    .option('--identifier <id>', 'the record with this identifier (diarienummer)')
    .option('--record-type <type>', 'records of this type')
    .requiredOption('--by <who>', 'who places the hold')
    .requiredOption('--reason <why>', 'why, for the record')
    .action(async (id: string | undefined, options: HoldAddOptions) =>
      withContext(program, (ctx, g) => holdAddCommand(ctx, id, { ...options, json: g.json }))(),
    );
  hold
    .command('release <hold>')
    .description('release a hold; disposal may then proceed with a new plan')
    .requiredOption('--by <who>', 'who releases it')
    .requiredOption('--reason <why>', 'why, for the record')
    .action(async (id: string, options: { by: string; reason: string }) =>
      withContext(program, (ctx, g) => holdReleaseCommand(ctx, id, { ...options, json: g.json }))(),
    );
  hold
    .command('list')
    .description('active holds')
    .option('--all', 'released holds too')
    .action(async (options: { all?: boolean }) =>
      withContext(program, (ctx, g) => holdListCommand(ctx, { ...options, json: g.json }))(),
    );

  const disposal = program.command('disposal').description('appraisal and disposal (gallring), in two steps');
  disposal
    .command('plan')
    .description('write a proposal of what the retention rules make due, and why; deletes nothing')
    .requiredOption('--planner <who>', 'who plans (another person must approve)')
    .action(async (options: { planner: string }) =>
      withContext(program, (ctx, g) => disposalPlanCommand(ctx, { ...options, json: g.json }))(),
    );
  disposal
    .command('approve <proposal>')
    .description(
      'approve and carry out a proposal (or resume it): exit 0 done, 3 copies wait for their retention, 1 failures',
    )
    .requiredOption('--approver <who>', 'who approves: not the planner')
    .action(async (id: string, options: { approver: string }) =>
      withContext(program, (ctx, g) => disposalApproveCommand(ctx, id, { ...options, json: g.json }))(),
    );
  disposal
    .command('list')
    .description('disposal proposals, newest first')
    .action(async () => withContext(program, (ctx, g) => disposalListCommand(ctx, { json: g.json }))());
  disposal
    .command('show <proposal>')
    .description('one proposal: its items and what was destroyed')
    .action(async (id: string) =>
      withContext(program, (ctx, g) => disposalShowCommand(ctx, id, { json: g.json }))(),
    );
}
