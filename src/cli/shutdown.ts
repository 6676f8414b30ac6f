import type { Logger } from '../logger.js';

/**
 * An AbortSignal that SIGINT or SIGTERM aborts: the command stops taking new work, aborts uploads in flight
 * (no incomplete multipart uploads are left) and writes its report. A second signal exits at once.
 */
export function stopOnSignals(logger: Logger): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      logger.warn({ signal: name }, 'second signal: exiting now');
      process.exit(130);
    }
    logger.warn({ signal: name }, 'stopping: aborting work in flight, then writing the report');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
