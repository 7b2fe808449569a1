// .npy files: random access to rows, whole-file reads, atomic and streaming writes. The format
// itself (header, encode, decode) is in ../npy.ts and ../npy-header.ts.
import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FileWriteError } from '@asma/util';
import { writeFileAtomic } from '@asma/util/node';
import {
  encodeNpy,
  type NpyArray,
  type NpyData,
  type NpyReadOptions,
  npyConvert,
  npyDtypeOf,
  npyView,
} from '../npy.js';
import {
  formatNpyHeader,
  itemSize,
  MAX_HEADER_BYTES,
  type NpyDtype,
  NpyError,
  type NpyHeader,
  parseNpyHeader,
  parsePrefix,
} from '../npy-header.js';

/**
 * Random access to the rows (axis 0) of an .npy file without loading it: the header is parsed
 * and validated against the file size on open, and each read is one positioned fs read.
 */
export class NpyReader {
  readonly header: NpyHeader;
  private fd: number | null;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
    try {
      const size = fstatSync(fd).size;
      const head = new Uint8Array(Math.min(size, 12));
      readSync(fd, head, 0, head.length, 0);
      const { dataOffset } = parsePrefix(head, path);
      const full = new Uint8Array(Math.min(size, dataOffset));
      readSync(fd, full, 0, full.length, 0);
      this.header = parseNpyHeader(full, path, size);
    } catch (err) {
      closeSync(fd);
      this.fd = null;
      throw err;
    }
  }

  static open(path: string): NpyReader {
    return new NpyReader(path, openSync(path, 'r'));
  }

  get dtype(): NpyDtype {
    return this.header.dtype;
  }
  get shape(): number[] {
    return this.header.shape;
  }
  /** Length of axis 0. */
  get rows(): number {
    return this.rowCountChecked();
  }
  /** Elements per row (product of shape[1:]). */
  get rowSize(): number {
    this.rowCountChecked();
    return this.header.shape.slice(1).reduce((a, b) => a * b, 1);
  }

  /** Rows [start, start + count) as a flat typed array of count * rowSize elements. */
  readRows(start: number, count: number, opts: NpyReadOptions = {}): NpyData {
    const rows = this.rowCountChecked();
    if (
      !Number.isInteger(start) ||
      !Number.isInteger(count) ||
      start < 0 ||
      count < 0 ||
      start + count > rows
    ) {
      throw new RangeError(`${this.path}: rows [${start}, ${start + count}) are outside 0..${rows}`);
    }
    const bytesPerRow = this.rowSize * itemSize(this.dtype);
    return npyConvert(
      this.readBytes(this.header.dataOffset + start * bytesPerRow, count * bytesPerRow),
      opts,
    );
  }

  /** The whole array. */
  readAll(opts: NpyReadOptions = {}): NpyArray {
    const data = npyConvert(
      this.readBytes(this.header.dataOffset, this.header.size * itemSize(this.dtype)),
      opts,
    );
    return { dtype: npyDtypeOf(data), shape: [...this.header.shape], data };
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private rowCountChecked(): number {
    if (this.header.shape.length === 0) throw new NpyError(this.path, 'shape', 'a 0-d array has no rows');
    return this.header.shape[0]!;
  }

  private readBytes(position: number, length: number): NpyData {
    if (this.fd === null) throw new Error(`${this.path}: reader is closed`);
    const buf = new ArrayBuffer(length);
    const bytes = new Uint8Array(buf);
    let off = 0;
    while (off < length) {
      const chunk = Math.min(length - off, 1 << 30);
      const n = readSync(this.fd, bytes, off, chunk, position + off);
      if (n === 0)
        throw new NpyError(
          this.path,
          'data',
          `file ended at byte ${position + off} (changed while reading?)`,
        );
      off += n;
    }
    return npyView(this.dtype, buf);
  }
}

/** Read a whole (small) .npy file. */
export function readNpy(path: string, opts: NpyReadOptions = {}): NpyArray {
  const reader = NpyReader.open(path);
  try {
    return reader.readAll(opts);
  } finally {
    reader.close();
  }
}

/** Write an .npy file atomically (temporary sibling + rename). */
export function writeNpy(path: string, data: NpyData, shape: readonly number[]): void {
  writeFileAtomic(path, encodeNpy(data, shape));
}

// Room in the reserved header for any row count below 10^15.
const RESERVED_ROWS = 999_999_999_999_999;

/**
 * Streaming writer: append rows of a fixed row shape, then `close()` patches the row count into
 * the header (space for it is reserved up front) and renames the temporary file into place, so a
 * reader never sees a half-written file and big conversions need not hold everything in memory.
 */
export class NpyWriter {
  private fd: number | null;
  private readonly tmp: string;
  private readonly headerLength: number;
  private rows = 0;
  readonly rowSize: number;

  constructor(
    readonly path: string,
    readonly dtype: NpyDtype,
    readonly rowShape: readonly number[],
  ) {
    if (rowShape.some((d) => !Number.isSafeInteger(d) || d < 0))
      throw new RangeError(`NpyWriter ${path}: bad row shape [${rowShape.join(', ')}]`);
    this.rowSize = rowShape.reduce((a, b) => a * b, 1);
    const reserved = formatNpyHeader(dtype, [RESERVED_ROWS, ...rowShape]);
    if (reserved.length > MAX_HEADER_BYTES) throw new RangeError(`NpyWriter ${path}: header too large`);
    this.headerLength = reserved.length;
    this.tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
    try {
      this.fd = openSync(this.tmp, 'w');
    } catch (err) {
      throw new FileWriteError(path, err);
    }
    try {
      this.writeAt(formatNpyHeader(dtype, [0, ...rowShape], this.headerLength), 0);
    } catch (err) {
      // A full disk fails the header's write: no empty temporary file stays behind.
      this.abort();
      throw err;
    }
  }

  /** Number of rows appended so far. */
  get count(): number {
    return this.rows;
  }

  /** Append whole rows: data.length must be a multiple of the row size. */
  append(data: NpyData): void {
    if (npyDtypeOf(data) !== this.dtype)
      throw new TypeError(`NpyWriter ${this.path}: expected ${this.dtype} data, got ${npyDtypeOf(data)}`);
    if (this.rowSize === 0 ? data.length !== 0 : data.length % this.rowSize !== 0) {
      throw new RangeError(
        `NpyWriter ${this.path}: ${data.length} elements is not a whole number of rows of ${this.rowSize}`,
      );
    }
    const offset = this.headerLength + this.rows * this.rowSize * itemSize(this.dtype);
    this.writeAt(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset);
    if (this.rowSize > 0) this.rows += data.length / this.rowSize;
  }

  /** Append `count` rows at once when the row size is 0 (shape with a zero dimension). */
  appendEmptyRows(count: number): void {
    if (this.rowSize !== 0)
      throw new RangeError(`NpyWriter ${this.path}: appendEmptyRows needs a row size of 0`);
    this.rows += count;
  }

  /** Patch the header, fsync and rename into place. */
  close(): void {
    if (this.fd === null) throw new Error(`NpyWriter ${this.path}: already closed`);
    try {
      this.writeAt(formatNpyHeader(this.dtype, [this.rows, ...this.rowShape], this.headerLength), 0);
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = null;
      renameSync(this.tmp, this.path);
    } catch (err) {
      this.abort();
      throw err instanceof FileWriteError ? err : new FileWriteError(this.path, err);
    }
  }

  /** Drop the temporary file without touching `path`. */
  abort(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.tmp, { force: true });
  }

  private writeAt(bytes: Uint8Array, position: number): void {
    if (this.fd === null) throw new Error(`NpyWriter ${this.path}: already closed`);
    let off = 0;
    try {
      while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off, position + off);
    } catch (err) {
      throw new FileWriteError(this.path, err);
    }
  }
}
