import { closeSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * An append-only log file that rotates by size: `reachmap.log` → `reachmap.log.1` → … → `.<keep>`,
 * the oldest dropped, so days of running never fill the disk. Writes are synchronous: the lines are
 * few (warnings, state changes, per-minute summaries) and none is lost when the process dies.
 */
export class RotatingLogFile {
  readonly path: string;
  readonly #maxBytes: number;
  readonly #keep: number;
  #fd: number;
  #size: number;

  constructor(path: string, options: { maxBytes?: number; keep?: number } = {}) {
    this.path = path;
    this.#maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    this.#keep = options.keep ?? 5;
    mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, 'a', 0o640);
    this.#size = statSync(path).size;
  }

  write(line: string): void {
    const bytes = Buffer.from(line.endsWith('\n') ? line : `${line}\n`);
    if (this.#size > 0 && this.#size + bytes.length > this.#maxBytes) this.#rotate();
    writeSync(this.#fd, bytes);
    this.#size += bytes.length;
  }

  #rotate(): void {
    closeSync(this.#fd);
    for (let index = this.#keep - 1; index >= 1; index--) {
      try {
        renameSync(`${this.path}.${index}`, `${this.path}.${index + 1}`);
      } catch {
        // not written yet
      }
    }
    renameSync(this.path, `${this.path}.1`);
    this.#fd = openSync(this.path, 'a', 0o640);
    this.#size = 0;
  }

  close(): void {
    closeSync(this.#fd);
  }
}
