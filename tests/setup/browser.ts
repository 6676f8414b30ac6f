import { requireChromium } from '../browser/chromium.js';

/**
 * Global setup of the browser project: Debian's Chromium must be there (scripts/test-setup.sh, `npm test`'s
 * pretest step, installs it). Without it the run fails at once, with how to get it, instead of skipping.
 */
export default function setup(): void {
  requireChromium();
}
