import { Readable } from 'node:stream';
import { runCli } from '../../src/cli/main';

/** Runs the CLI in-process with the given stdin and environment; returns exit code and output. */
export async function runTouchpoint(
  argv: string[],
  options: { stdin?: string; env?: Record<string, string | undefined> } = {},
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
