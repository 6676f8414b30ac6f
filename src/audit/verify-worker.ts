/** Worker thread of `createWorkerVerifier`: verifies one copy per request and reports bytes as it reads. */
import { parentPort, workerData } from 'node:worker_threads';
import type { LocationConfig } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import { createLocation, type Location } from '../storage/index.js';
import type { VerifyReply, VerifyRequest } from './verifier.js';
import { verifyCopy } from './verify-copy.js';

const PROGRESS_EVERY_BYTES = 8 << 20;
const configs = (workerData as { locations: Record<string, LocationConfig> }).locations;
const locations = new Map<string, Location>();
const port = parentPort;

port?.on('message', async ({ id, copy, files }: VerifyRequest) => {
  const reply = (message: Omit<VerifyReply, 'id'>) =>
    port.postMessage({ id, ...message } satisfies VerifyReply);
  try {
    const config = configs[copy.location];
    if (!config) throw new Error(`location "${copy.location}" is not configured`);
    let location = locations.get(copy.location);
    if (!location) {
      location = createLocation(copy.location, config);
      locations.set(copy.location, location);
    }
    let unreported = 0;
    const check = await verifyCopy(location, copy, files, (n) => {
      unreported += n;
      if (unreported >= PROGRESS_EVERY_BYTES) {
        reply({ bytes: unreported });
        unreported = 0;
      }
    });
    reply({ bytes: unreported, check });
  } catch (err) {
    reply({ error: errorMessage(err) });
  }
});
