/**
 * A minimal protocol-buffers writer (and a reader for tests and checks): varints, length-delimited
 * fields and fixed32 floats, enough for ONNX's ModelProto.
 */

/** Accumulates one message's bytes. */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  private varint(v: bigint): void {
    // int64 semantics: negative values are written as their 64-bit two's complement (10 bytes).
    let x = BigInt.asUintN(64, v);
    const out: number[] = [];
    do {
      let byte = Number(x & 0x7fn);
      x >>= 7n;
      if (x !== 0n) byte |= 0x80;
      out.push(byte);
    } while (x !== 0n);
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: number): void {
    this.varint(BigInt((field << 3) | wire));
  }

  int(field: number, v: number | bigint): this {
    this.tag(field, 0);
    this.varint(BigInt(v));
    return this;
  }

  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.varint(BigInt(b.length));
    this.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  /** Packed repeated int64. */
  packedInts(field: number, values: readonly number[]): this {
    const w = new ProtoWriter();
    for (const v of values) w.varint(BigInt(v));
    return this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

export interface ProtoField {
  field: number;
  wire: number;
  /** Varint (as bigint), fixed32/64 raw bytes, or length-delimited bytes. */
  value: bigint | Uint8Array;
}

/** Decode one message level into its fields (throws on malformed input). */
export function decodeProto(b: Uint8Array): ProtoField[] {
  const out: ProtoField[] = [];
  let i = 0;
  const varint = (): bigint => {
    let x = 0n;
    let shift = 0n;
    for (;;) {
      if (i >= b.length) throw new RangeError('protobuf: truncated varint');
      const byte = b[i++]!;
      x |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return x;
      shift += 7n;
      if (shift > 63n) throw new RangeError('protobuf: varint too long');
    }
  };
  while (i < b.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 2 || wire === 5 || wire === 1) {
      const n = wire === 2 ? Number(varint()) : wire === 5 ? 4 : 8;
      if (i + n > b.length) throw new RangeError('protobuf: truncated field');
      out.push({ field, wire, value: b.subarray(i, i + n) });
      i += n;
    } else throw new RangeError(`protobuf: unsupported wire type ${wire}`);
  }
  return out;
}
