/** One `asma` subcommand. `run` returns the process exit code. */
export interface Command {
  /** Words that select the command, e.g. ['data', 'ntu'] for `asma data ntu`. */
  readonly path: readonly string[];
  readonly summary: string;
  /** Full help text shown by `asma <command> --help`. */
  readonly help: string;
  /** Runs on a device backend (--backend webgpu); commands without it refuse one with the reason. */
  readonly onDevice?: boolean;
  run(args: string[]): Promise<number>;
}

/** Error for bad command-line use: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
