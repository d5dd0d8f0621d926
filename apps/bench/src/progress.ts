/** Progress lines on stderr, so stdout stays free for whatever a caller pipes (`pnpm bench` prints nothing else). */
export type Progress = (message: string) => void;

export function stderrProgress(): Progress {
  const started = Date.now();
  return (message) => {
    const elapsedS = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
    process.stderr.write(`[bench ${elapsedS}s] ${message}\n`);
  };
}
