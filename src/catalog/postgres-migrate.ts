import { errorMessage } from '../errors.js';
import { CatalogError } from './errors.js';
import { latestSchemaVersion, type Migration, SCHEMA_MIGRATIONS_TABLE } from './migrations.js';
import { CONTEXT, type PgContext, type Queryable } from './postgres-context.js';

/**
 * Key of the transaction-level advisory lock that serializes migrations of one database across processes
 * ("bevara" in ASCII). Advisory locks are per database: catalogs in other databases never wait on it.
 */
export const MIGRATION_LOCK_KEY = '108187917316705';

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new CatalogError(
        `${CONTEXT} migration "${m.name}" has version ${m.version}, expected ${i + 1}: versions must start at 1 without gaps`,
        { unrecoverable: true },
      );
    }
  });
}

async function currentVersion(client: Queryable): Promise<number> {
  const { rows } = await client.query('SELECT MAX(version) AS version FROM schema_migrations');
  return (rows[0] as { version: number | null } | undefined)?.version ?? 0;
}

/**
 * Applies the pending `migrations` in order, each in its own transaction together with its `schema_migrations`
 * row, so a failed migration leaves the previous version intact. Each transaction first takes the advisory lock
 * MIGRATION_LOCK_KEY, then reads the version: of two workers starting at once, the second waits for the first's
 * step and then sees it recorded, so every step is applied once. Refuses a database whose recorded version is
 * newer than the last migration known.
 *
 * @returns the versions applied by this call, in order (empty when already up to date).
 */
export async function migratePostgres(
  ctx: PgContext,
  migrations: readonly Migration[],
  now: () => Date,
): Promise<number[]> {
  checkOrder(migrations);
  const latest = latestSchemaVersion(migrations);
  const applied: number[] = [];
  for (;;) {
    const step = await ctx.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      await client.query(SCHEMA_MIGRATIONS_TABLE);
      const current = await currentVersion(client);
      if (current > latest) {
        throw new CatalogError(
          `${CONTEXT} database "${ctx.label}" has schema version ${current}, newer than the ${latest} this version of bevara knows: upgrade bevara before using this catalog`,
          { unrecoverable: true },
        );
      }
      const migration = migrations[current];
      if (!migration) return null;
      try {
        // Without parameters `pg` sends the simple query protocol, which takes several statements at once.
        await client.query(migration.up);
      } catch (err) {
        throw new CatalogError(
          `${CONTEXT} migration ${migration.version} "${migration.name}" failed on "${ctx.label}": ${errorMessage(err)}`,
          { cause: err, unrecoverable: true },
        );
      }
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        now().toISOString(),
      ]);
      return migration.version;
    });
    if (step === null) return applied;
    applied.push(step);
  }
}
