/**
 * Line-by-line reading of standard input for the console: lines that arrive before they are
 * asked for (a pipe: `printf 'a\nb\n' | npm start`) are queued in order; the end of input is
 * reported as `null`. On a TTY, Node's readline does the line editing and the echo, and a secret
 * answer (the operator password) is read with the echo muted. On a pipe nothing is echoed by the
 * terminal, so the console writes non-secret answers itself (cleaned of control characters) to
 * keep the transcript readable.
 */
import readline from 'node:readline';
import { Writable } from 'node:stream';
import { cleanAnswer } from './text';

/** Options of one question. */
export interface AskOptions {
  /** Never echo the answer (TTY: echo muted while typing; pipe: not written back). */
  secret?: boolean;
  /** Text written in place of a secret answer on a pipe (default: nothing). */
  hiddenMarker?: string;
}

/** Reads lines from `input`, asking with prompts written to `output`. */
export class LineInput {
  private readonly queue: string[] = [];
  private readonly waiters: ((line: string | null) => void)[] = [];
  private ended = false;
  private muted = false;
  private readonly rl: readline.Interface;
  /** True when the input is an interactive terminal (readline echoes what is typed). */
  readonly tty: boolean;

  constructor(
    input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
  ) {
    this.tty = Boolean((input as { isTTY?: boolean }).isTTY);
    const echo = new Writable({
      write: (chunk: Buffer | string, _enc, done) => {
        if (!this.muted) this.output.write(chunk);
        done();
      },
    });
    this.rl = readline.createInterface({
      input,
      ...(this.tty ? { output: echo, terminal: true } : { terminal: false }),
      crlfDelay: Infinity,
      historySize: 0,
    });
    this.rl.on('line', (line) => this.push(line));
    this.rl.on('close', () => this.end());
    // Ctrl-C on a TTY: end like Ctrl-D (the run is saved), rather than readline's silent pause.
    this.rl.on('SIGINT', () => this.rl.close());
  }

  private push(line: string): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(line);
    else this.queue.push(line);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const w of this.waiters.splice(0)) w(null);
  }

  /** The next line (queued or awaited), without its line break; `null` at the end of input. */
  next(): Promise<string | null> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Writes `prompt`, then reads one line. On a pipe the answer is written after the prompt (a
   * secret one is replaced by `hiddenMarker`), so the transcript reads like a terminal session.
   * @returns the line, or `null` at the end of input.
   */
  async ask(prompt: string, opts: AskOptions = {}): Promise<string | null> {
    if (this.tty) {
      this.rl.setPrompt(prompt);
      this.rl.prompt();
      this.muted = Boolean(opts.secret);
      try {
        const line = await this.next();
        if (opts.secret) this.output.write('\n');
        return line;
      } finally {
        this.muted = false;
      }
    }
    this.output.write(prompt);
    const line = await this.next();
    if (line === null) this.output.write('\n');
    // The echo is the cleaned text: escape codes and control characters typed into a pipe are
    // never written back to the terminal (they would move the cursor, change colours, ...).
    else this.output.write(`${opts.secret ? (opts.hiddenMarker ?? '') : cleanAnswer(line).text}\n`);
    return line;
  }

  /** Stops reading (the input stream itself is left open). */
  close(): void {
    this.rl.close();
  }
}
