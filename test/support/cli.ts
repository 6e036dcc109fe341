import { Readable } from 'node:stream';
import { runCli } from '../../src/cli/main';

/**
 * Runs the CLI in-process with the given stdin (text, or bytes such as gzip) and environment; returns
 * exit code and output. Logging is off unless `env` sets TOUCHPOINT_LOG_LEVEL (undefined: the CLI's own
 * default).
 */
export async function runTouchpoint(
  argv: string[],
  options: { stdin?: string | Buffer; env?: Record<string, string | undefined> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli({
    argv,
    env: { TOUCHPOINT_LOG_LEVEL: 'silent', ...options.env },
    stdin: Readable.from([options.stdin ?? '']),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}
