/**
 * A one-line progress bar for long jobs, redrawn at most every 100 ms; silent when the stream is not a
 * terminal (CI, pipes), where only the final summary is printed.
 */
export interface Progress {
  /** `phase` names a step that is not counted in `done` (a write-back); a new phase always redraws */
  update(done: number, fraction: number | null, phase?: string): void;
  finish(): void;
}

export function createProgress(
  stream: { write(text: string): unknown; isTTY?: boolean },
  label: string,
): Progress {
  if (!stream.isTTY) return { update: () => undefined, finish: () => undefined };
  const started = Date.now();
  let drawnAt = 0;
  let drawn = false;
  let drawnPhase: string | undefined;
  return {
    update(done, fraction, phase) {
      const now = Date.now();
      if (now - drawnAt < 100 && phase === drawnPhase) return;
      drawnAt = now;
      drawnPhase = phase;
      drawn = true;
      const seconds = Math.max((now - started) / 1000, 0.001);
      const rate = Math.round(done / seconds);
      const width = 30;
      const bar =
        fraction === null
          ? ''
          : `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] ${(fraction * 100).toFixed(0).padStart(3)}% `;
      const eta =
        fraction && fraction > 0 && !phase ? ` eta ${Math.round(seconds / fraction - seconds)}s` : '';
      const step = phase ? `, ${phase}` : '';
      stream.write(
        `\r${label} ${bar}${done.toLocaleString('en-US')} events, ${rate.toLocaleString('en-US')}/s${eta}${step}   `,
      );
    },
    finish() {
      // Idempotent, so an error path can finish the line as well as the normal one.
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
