import { errorMessage } from '../errors.js';
import { CatalogError } from './errors.js';
import { latestSchemaVersion, type Migration, SCHEMA_MIGRATIONS_TABLE } from './migrations.js';
import type { SqlContext, SqlSession } from './sql-adapter.js';

function checkOrder(migrations: readonly Migration[], context: string): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new CatalogError(
        `${context} migration "${m.name}" has version ${m.version}, expected ${i + 1}: versions must start at 1 without gaps`,
        { unrecoverable: true },
      );
    }
  });
}

/**
 * Refuses a database whose recorded migrations are not this code's under the same numbers: one made by another
 * build of bevara, whose next migration would be applied over a schema it does not expect (or be skipped).
 */
async function checkRecordedNames(
  tx: SqlSession,
  migrations: readonly Migration[],
  what: string,
): Promise<void> {
  const { rows } = await tx.query<{ version: number; name: string }>(
    'SELECT version, name FROM schema_migrations ORDER BY version',
  );
  for (const { version, name } of rows) {
    const expected = migrations[version - 1]?.name;
    if (expected !== undefined && expected !== name)
      throw new CatalogError(
        `${what} recorded migration ${version} as "${name}", but this version of bevara's migration ${version} is ` +
          `"${expected}": the catalog was made by another build; use that build, or rebuild the catalog from ` +
          'storage into a new one (bevara catalog rebuild --catalog <new>)',
        { unrecoverable: true },
      );
  }
}

/** The DDL of `migration` for the engine named `engine` (`sqlite`, `postgres`). */
function upOf(migration: Migration, engine: string): string {
  if (typeof migration.up === 'string') return migration.up;
  const up = (migration.up as Readonly<Record<string, string>>)[engine];
  if (up === undefined)
    throw new CatalogError(`migration ${migration.version} "${migration.name}" has no DDL for ${engine}`, {
      unrecoverable: true,
    });
  return up;
}

/**
 * Applies the pending `migrations` in order, each in its own write transaction together with its
 * `schema_migrations` row, so a failed migration leaves the previous version intact. Each transaction first takes
 * the engine's migration lock (PostgreSQL: an advisory lock; SQLite: the write lock of `BEGIN IMMEDIATE`), then
 * reads the version: of two processes migrating at once, the second waits for the first's step and then sees it
 * recorded, so every step is applied once. Refuses a database whose recorded version is newer than the last
 * migration known.
 *
 * @returns the versions applied by this call, in order (empty when already up to date).
 */
export async function migrate(
  { db, context }: SqlContext,
  migrations: readonly Migration[],
  now: () => Date,
): Promise<number[]> {
  checkOrder(migrations, context);
  const latest = latestSchemaVersion(migrations);
  const applied: number[] = [];
  for (;;) {
    const step = await db.transaction(async (tx) => {
      await db.lockMigrations(tx);
      await tx.script(SCHEMA_MIGRATIONS_TABLE);
      const { rows } = await tx.query<{ version: number | null }>(
        'SELECT MAX(version) AS version FROM schema_migrations',
      );
      const current = rows[0]?.version ?? 0;
      if (current > latest) {
        throw new CatalogError(
          `${context} database "${db.label}" has schema version ${current}, newer than the ${latest} this version of bevara knows: upgrade bevara before using this catalog`,
          { unrecoverable: true },
        );
      }
      await checkRecordedNames(tx, migrations, `${context} database "${db.label}"`);
      const migration = migrations[current];
      if (!migration) return null;
      try {
        await tx.script(upOf(migration, db.name));
      } catch (err) {
        throw new CatalogError(
          `${context} migration ${migration.version} "${migration.name}" failed on "${db.label}": ${errorMessage(err)}`,
          { cause: err, unrecoverable: true },
        );
      }
      await tx.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
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
