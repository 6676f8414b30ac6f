/** Collects rows and writes them `batchSize` at a time, each batch in one call (one transaction). */
export interface BatchWriter<T> {
  add(row: T): Promise<void>;
  /** Writes what is pending; call before anything reads the rows back. */
  flush(): Promise<void>;
}

/**
 * For rows that are a log of work done (run items, copy checks): losing the last few to a crash costs only a
 * re-check, so they need not cost a durable commit each. State that later steps rely on is never batched.
 */
export function createBatchWriter<T>(write: (rows: T[]) => Promise<void>, batchSize = 100): BatchWriter<T> {
  let pending: T[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    await write(batch);
  };
  return {
    async add(row) {
      pending.push(row);
      if (pending.length >= batchSize) await flush();
    },
    flush,
  };
}
