/**
 * With DEBUG_BEVARA_MEMORY=1, each thread that calls `traceMemory` samples its V8 heap every 50 ms and writes its
 * peaks to stderr when it exits (a worker thread: when it calls the returned function, after each request): what a thread costs when GNU time only shows the process's peak RSS.
 */
import { getHeapStatistics } from 'node:v8';
import { isMainThread, threadId } from 'node:worker_threads';

export function traceMemory(name: string): () => void {
  if (!process.env.DEBUG_BEVARA_MEMORY) return () => {};
  const peak = { heapUsed: 0, heapTotal: 0, external: 0, rss: 0 };
  const sample = () => {
    const heap = getHeapStatistics();
    const usage = process.memoryUsage();
    peak.heapUsed = Math.max(peak.heapUsed, heap.used_heap_size);
    peak.heapTotal = Math.max(peak.heapTotal, heap.total_heap_size);
    peak.external = Math.max(peak.external, heap.external_memory);
    peak.rss = Math.max(peak.rss, usage.rss);
  };
  const timer = setInterval(sample, 50);
  timer.unref();
  const report = () => {
    sample();
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
    process.stderr.write(
      `[memory] ${name}${isMainThread ? '' : ` thread ${threadId}`}: heap used ${mb(peak.heapUsed)}, heap total ` +
        `${mb(peak.heapTotal)}, external ${mb(peak.external)}; process RSS ${mb(peak.rss)}\n`,
    );
  };
  if (isMainThread) process.on('exit', report);
  return report;
}
