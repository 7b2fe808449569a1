/**
 * An I/O error (ENOSPC, EIO, ...) that names the file it was about: node's write and fsync errors
 * say only "ENOSPC: no space left on device, write". The errno code is kept for callers.
 */
export class FileWriteError extends Error {
  override name = 'FileWriteError';
  readonly code: string | undefined;
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(`${file}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.code = (cause as NodeJS.ErrnoException | null)?.code;
  }
}
