export type Async<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;

/**
 * A command's function, loaded from its module when the command runs: `bevara --version` or `bevara ls` never
 * load the web console, the validator or the ingest engine (the whole CLI loaded up front cost about 0.8 s of
 * CPU and 87 MB before any work).
 */
export function lazy<M, K extends keyof M>(load: () => Promise<M>, name: K): Async<M[K]> {
  return (async (...args: unknown[]) => {
    const fn = (await load())[name] as (...a: unknown[]) => unknown;
    return fn(...args);
  }) as Async<M[K]>;
}
