import type { AppContext } from '../app/context.js';
import type { StorageCheckReport } from '../storage/check.js';
import type { ServerOptions } from './server.js';
import type { BackgroundWork } from './services/background.js';

/** What the console's routes share: the app context, options, the cached storage check, background work. */
export interface ConsoleDeps {
  ctx: AppContext;
  options: ServerOptions;
  storage: () => Promise<StorageCheckReport>;
  work: BackgroundWork;
}
