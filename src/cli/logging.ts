import { loadConfig } from '../config';
import { createLogger, type Logger } from '../log';
import type { CliIO } from './types';

/**
 * The logger of a command that builds an app: every line on the command's stderr, at the level the
 * environment sets (by default `warn`, see `cliEnv`), so stdout carries only the command's output and
 * `touchpoint handle event.json | jq` works with `--verbose` too.
 */
export function commandLogger(io: Pick<CliIO, 'env' | 'stderr'>): Logger {
  return createLogger(loadConfig(io.env).logLevel, (line) => {
    io.stderr.write(`${line}\n`);
  });
}
