// A progress bar for long work on a terminal: entries done, rate and time left, redrawn at most
// ten times a second on one line of standard error.

export type ProgressBar = { update(done: number, total: number): void; finish(): void };

export function progressBar(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  label: string
): ProgressBar {
  if (stream.isTTY !== true) return { update() {}, finish() {} };
  const started = performance.now();
  let drawn = 0;
  return {
    update(done, total) {
      const now = performance.now();
      if (now - drawn < 100 && done < total) return;
      drawn = now;
      const seconds = (now - started) / 1000;
      const rate = seconds > 0 ? done / seconds : 0;
      const fraction = total > 0 ? done / total : 1;
      const width = 30;
      const filled = Math.round(fraction * width);
      const left = rate > 0 ? Math.ceil((total - done) / rate) : 0;
      stream.write(
        `\r${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done.toLocaleString('en')}/${total.toLocaleString('en')}` +
          ` ${Math.round(rate).toLocaleString('en')}/s, ${left} s left `
      );
    },
    finish() {
      stream.write('\n');
    },
  };
}
