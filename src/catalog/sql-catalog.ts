/** The catalog over any `SqlAdapter`: its parts put together (see sql-adapter.ts for the layout). */
import { CatalogError } from './errors.js';
import { migrate } from './migrate.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import type { SqlAdapter, SqlContext } from './sql-adapter.js';
import { createAuditSql } from './sql-audit.js';
import { createConsoleSql } from './sql-console.js';
import { createDisposalSql } from './sql-disposal.js';
import { createJobSql } from './sql-jobs.js';
import { createRecordSql } from './sql-records.js';
import { createRunSql } from './sql-runs.js';
import type { Catalog } from './types.js';

/** Options every engine takes. */
export interface SqlCatalogOptions {
  /** Clock for bookkeeping timestamps (`schema_migrations.applied_at`). Default: the system clock. */
  now?: () => Date;
  /** Migrations to apply instead of the built-in ones. For tests of the migration runner only. */
  migrations?: readonly Migration[];
}

/** The catalog on `db`. Nothing runs until a method is called; `migrate()` must precede the others on a new database. */
export function createSqlCatalog(db: SqlAdapter, options: SqlCatalogOptions = {}): Catalog {
  const now = options.now ?? (() => new Date());
  const context = `[catalog:${db.name}]`;
  let closed = false;
  const ctx: SqlContext = {
    db,
    context,
    async guard(action, missing, fn) {
      if (closed) {
        throw new CatalogError(`${context} cannot ${action}: the catalog is closed`, { unrecoverable: true });
      }
      try {
        return await fn();
      } catch (err) {
        throw db.translate(err, action, missing);
      }
    },
  };

  return {
    async migrate() {
      await ctx.guard('migrate', 'a table', () => migrate(ctx, options.migrations ?? MIGRATIONS, now));
    },
    ...createRecordSql(ctx),
    ...createRunSql(ctx),
    ...createAuditSql(ctx),
    ...createJobSql(ctx),
    ...createConsoleSql(ctx),
    ...createDisposalSql(ctx),
    async close() {
      if (closed) return;
      closed = true;
      await db.close();
    },
  };
}
