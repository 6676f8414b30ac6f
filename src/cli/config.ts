import YAML from 'yaml';
import { maskSecrets } from '../config/load.js';
import { type GlobalOptions, loadCliConfig } from '../app/context.js';
import { print, printJson } from './output.js';

/** `bevara config`: the effective configuration (defaults < file < env < flags), secrets masked. */
export function configCommand(options: GlobalOptions): number {
  const { config, file } = loadCliConfig(options);
  const masked = maskSecrets(config);
  if (options.json) printJson({ file: file ?? null, config: masked });
  else {
    print(
      `# effective configuration${file ? ` (file: ${file})` : ' (no config file; defaults, env and flags)'}`,
    );
    print(YAML.stringify(masked).trimEnd());
  }
  return 0;
}
