import type { MultiBar } from 'cli-progress';

/**
 * stderr, shared by the logger and the progress bar: while a bar is shown, log lines go through it so they
 * scroll above the bar instead of tearing it.
 */
export interface Terminal {
  readonly isTTY: boolean;
  write(text: string): void;
  /** Routes writes through `bar` until called again with undefined. */
  attach(bar: MultiBar | undefined): void;
}

export function createTerminal(stream: NodeJS.WriteStream = process.stderr): Terminal {
  let bar: MultiBar | undefined;
  return {
    isTTY: stream.isTTY === true,
    write(text) {
      if (bar) bar.log(text.endsWith('\n') ? text : `${text}\n`);
      else stream.write(text);
    },
    attach(next) {
      bar = next;
    },
  };
}
