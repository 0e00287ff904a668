/**
 * MessagePack with the exact encoding choices of tinylib/msgp v1.4.0 (spec §4.1).
 *
 * The writer never picks an encoding on its own: callers say `int` (signed: fixint, int16,
 * int32, int64, never unsigned) or `uint`, `str` or `bin`, so encodings that feed hashes (the
 * version signature, §4.6) are reproduced byte for byte. The reader is lenient the way msgp's
 * generated code is (§4.1.2): any integer width, str-or-bin map keys, the standard timestamp
 * extension. Every length is checked against the bytes that remain; a violation is a
 * `MsgpackError`, never a RangeError.
 */

import { msgpackNestingMax } from "../limits.ts";

/** A malformed or truncated MessagePack value. */
export class MsgpackError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
    this.name = "MsgpackError";
    this.offset = offset;
  }
}

/** msgp's own time extension type (`TimeExtension`, §4.1.3). */
export const msgpTimeExtType = 5;
/** The MessagePack standard timestamp extension type. */
const standardTimeExtType = -1;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;
const uint64Max = 2n ** 64n - 1n;

/** A time as msgp stores it: Unix seconds (may be negative) and nanoseconds 0..999999999. */
export interface MsgpTime {
  seconds: bigint;
  nanos: number;
}

/** Appends MessagePack values to a growing buffer. */
export class MsgpackWriter {
  #buffer: Uint8Array;
  #view: DataView;
  #length = 0;

  constructor(initialBytes = 256) {
    this.#buffer = new Uint8Array(Math.max(16, initialBytes));
    this.#view = new DataView(this.#buffer.buffer);
  }

  /** Bytes written so far (a copy). */
  bytes(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }

  get length(): number {
    return this.#length;
  }

  #reserve(byteCount: number): number {
    const offset = this.#length;
    const needed = offset + byteCount;
    if (needed > this.#buffer.length) {
      let size = this.#buffer.length * 2;
      while (size < needed) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.#buffer.subarray(0, offset));
      this.#buffer = grown;
      this.#view = new DataView(grown.buffer);
    }
    this.#length = needed;
    return offset;
  }

  #byte(value: number): void {
    const offset = this.#reserve(1);
    this.#buffer[offset] = value;
  }

  #prefixed16(prefix: number, value: number): void {
    const offset = this.#reserve(3);
    this.#buffer[offset] = prefix;
    this.#view.setUint16(offset + 1, value);
  }

  #prefixed32(prefix: number, value: number): void {
    const offset = this.#reserve(5);
    this.#buffer[offset] = prefix;
    this.#view.setUint32(offset + 1, value);
  }

  /** Raw bytes, already encoded. */
  raw(bytes: Uint8Array): this {
    const offset = this.#reserve(bytes.length);
    this.#buffer.set(bytes, offset);
    return this;
  }

  nil(): this {
    this.#byte(0xc0);
    return this;
  }

  bool(value: boolean): this {
    this.#byte(value ? 0xc3 : 0xc2);
    return this;
  }

  /** A signed integer the way msgp `AppendInt64` writes it. */
  int(value: number | bigint): this {
    if (typeof value === "number" && value >= 0 && value <= 2147483647 && Number.isInteger(value)) {
      if (value <= 127) this.#byte(value);
      else if (value <= 32767) this.#prefixed16(0xd1, value);
      else this.#prefixed32(0xd2, value);
      return this;
    }
    const v = BigInt(value);
    if (v < int64Min || v > int64Max) {
      throw new RangeError(`Cannot encode int "${v}": out of range`);
    }
    if (v >= 0n) {
      if (v <= 127n) this.#byte(Number(v));
      else if (v <= 32767n) this.#prefixed16(0xd1, Number(v));
      else if (v <= 2147483647n) this.#prefixed32(0xd2, Number(v));
      else this.#int64Bytes(0xd3, v);
      return this;
    }
    if (v >= -32n) this.#byte(Number(v) & 0xff);
    else if (v >= -128n) {
      const offset = this.#reserve(2);
      this.#buffer[offset] = 0xd0;
      this.#view.setInt8(offset + 1, Number(v));
    } else if (v >= -32768n) {
      const offset = this.#reserve(3);
      this.#buffer[offset] = 0xd1;
      this.#view.setInt16(offset + 1, Number(v));
    } else if (v >= -2147483648n) {
      const offset = this.#reserve(5);
      this.#buffer[offset] = 0xd2;
      this.#view.setInt32(offset + 1, Number(v));
    } else this.#int64Bytes(0xd3, v);
    return this;
  }

  #int64Bytes(prefix: number, v: bigint): void {
    const offset = this.#reserve(9);
    this.#buffer[offset] = prefix;
    this.#view.setBigUint64(offset + 1, BigInt.asUintN(64, v));
  }

  /** An unsigned integer the way msgp `AppendUint64` writes it. */
  uint(value: number | bigint): this {
    if (typeof value === "number" && value >= 0 && value <= 127 && Number.isInteger(value)) {
      this.#byte(value);
      return this;
    }
    const v = BigInt(value);
    if (v < 0n || v > uint64Max) throw new RangeError(`Cannot encode uint "${v}": out of range`);
    if (v <= 127n) this.#byte(Number(v));
    else if (v <= 255n) {
      const offset = this.#reserve(2);
      this.#buffer[offset] = 0xcc;
      this.#buffer[offset + 1] = Number(v);
    } else if (v <= 65535n) this.#prefixed16(0xcd, Number(v));
    else if (v <= 0xffff_ffffn) this.#prefixed32(0xce, Number(v));
    else this.#int64Bytes(0xcf, v);
    return this;
  }

  /** A uint32 always in its 5-byte form (0xce), as the xl.meta CRC is written. */
  uint32Fixed(value: number): this {
    this.#prefixed32(0xce, value >>> 0);
    return this;
  }

  str(value: string): this {
    if (!isShortAscii(value)) return this.strBytes(utf8Encoder.encode(value));
    const length = value.length;
    if (length <= 31) this.#byte(0xa0 | length);
    else {
      const offset = this.#reserve(2);
      this.#buffer[offset] = 0xd9;
      this.#buffer[offset + 1] = length;
    }
    const offset = this.#reserve(length);
    for (let i = 0; i < length; i++) this.#buffer[offset + i] = value.charCodeAt(i);
    return this;
  }

  /** A str whose UTF-8 bytes are given (kept verbatim, even if not valid UTF-8). */
  strBytes(bytes: Uint8Array): this {
    const length = bytes.length;
    if (length <= 31) this.#byte(0xa0 | length);
    else if (length <= 255) {
      const offset = this.#reserve(2);
      this.#buffer[offset] = 0xd9;
      this.#buffer[offset + 1] = length;
    } else if (length <= 65535) this.#prefixed16(0xda, length);
    else this.#prefixed32(0xdb, length);
    return this.raw(bytes);
  }

  bin(bytes: Uint8Array): this {
    this.binHeader(bytes.length);
    return this.raw(bytes);
  }

  binHeader(length: number): this {
    if (length <= 255) {
      const offset = this.#reserve(2);
      this.#buffer[offset] = 0xc4;
      this.#buffer[offset + 1] = length;
    } else if (length <= 65535) this.#prefixed16(0xc5, length);
    else this.#prefixed32(0xc6, length);
    return this;
  }

  /** A bin32 header regardless of length (the xl.meta payload wrapper, §4.2). */
  bin32Header(length: number): this {
    this.#prefixed32(0xc6, length);
    return this;
  }

  arrayHeader(count: number): this {
    if (count <= 15) this.#byte(0x90 | count);
    else if (count <= 65535) this.#prefixed16(0xdc, count);
    else this.#prefixed32(0xdd, count);
    return this;
  }

  mapHeader(count: number): this {
    if (count <= 15) this.#byte(0x80 | count);
    else if (count <= 65535) this.#prefixed16(0xde, count);
    else this.#prefixed32(0xdf, count);
    return this;
  }

  /** A time as msgp `AppendTime` writes it: ext8, length 12, type 5, BE seconds, BE nanos. */
  time(value: MsgpTime): this {
    const offset = this.#reserve(15);
    this.#buffer[offset] = 0xc7;
    this.#buffer[offset + 1] = 12;
    this.#buffer[offset + 2] = msgpTimeExtType;
    this.#view.setBigInt64(offset + 3, value.seconds);
    this.#view.setUint32(offset + 11, value.nanos);
    return this;
  }
}

/** What kind of value comes next. */
export type MsgpackKind =
  | "nil"
  | "bool"
  | "int"
  | "float"
  | "str"
  | "bin"
  | "array"
  | "map"
  | "ext";

/** Reads MessagePack values from a byte array; decoded byte values view the input. */
export class MsgpackReader {
  readonly bytes: Uint8Array;
  #view: DataView;
  offset: number;

  constructor(bytes: Uint8Array, offset = 0) {
    this.bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = offset;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  #need(byteCount: number): void {
    if (byteCount > this.bytes.length - this.offset) {
      throw new MsgpackError(
        `Cannot read ${byteCount} bytes: only ${this.remaining} remain`,
        this.offset,
      );
    }
  }

  #fail(expected: string, lead: number): never {
    throw new MsgpackError(
      `Cannot read ${expected} from lead byte 0x${lead.toString(16).padStart(2, "0")}`,
      this.offset,
    );
  }

  peekByte(): number {
    this.#need(1);
    return this.bytes[this.offset];
  }

  peekKind(): MsgpackKind {
    const lead = this.peekByte();
    if (lead <= 0x7f || lead >= 0xe0) return "int";
    if (lead <= 0x8f) return "map";
    if (lead <= 0x9f) return "array";
    if (lead <= 0xbf) return "str";
    switch (lead) {
      case 0xc0:
        return "nil";
      case 0xc2:
      case 0xc3:
        return "bool";
      case 0xc4:
      case 0xc5:
      case 0xc6:
        return "bin";
      case 0xca:
      case 0xcb:
        return "float";
      case 0xd9:
      case 0xda:
      case 0xdb:
        return "str";
      case 0xdc:
      case 0xdd:
        return "array";
      case 0xde:
      case 0xdf:
        return "map";
    }
    if (lead >= 0xcc && lead <= 0xd3) return "int";
    if (lead === 0xc1) this.#fail("a value", lead);
    return "ext";
  }

  /** Consumes a nil if one comes next. */
  tryNil(): boolean {
    if (this.peekByte() !== 0xc0) return false;
    this.offset++;
    return true;
  }

  readBool(): boolean {
    const lead = this.peekByte();
    if (lead !== 0xc2 && lead !== 0xc3) this.#fail("bool", lead);
    this.offset++;
    return lead === 0xc3;
  }

  /** Any integer encoding, as a bigint. */
  readBigInt(): bigint {
    const lead = this.peekByte();
    if (lead <= 0x7f) {
      this.offset++;
      return BigInt(lead);
    }
    if (lead >= 0xe0) {
      this.offset++;
      return BigInt(lead - 256);
    }
    const widths: Record<number, number> = {
      0xcc: 1,
      0xcd: 2,
      0xce: 4,
      0xcf: 8,
      0xd0: 1,
      0xd1: 2,
      0xd2: 4,
      0xd3: 8,
    };
    const width = widths[lead];
    if (width === undefined) this.#fail("integer", lead);
    this.#need(1 + width);
    const at = this.offset + 1;
    const view = this.#view;
    let value: bigint;
    switch (lead) {
      case 0xcc:
        value = BigInt(view.getUint8(at));
        break;
      case 0xcd:
        value = BigInt(view.getUint16(at));
        break;
      case 0xce:
        value = BigInt(view.getUint32(at));
        break;
      case 0xcf:
        value = view.getBigUint64(at);
        break;
      case 0xd0:
        value = BigInt(view.getInt8(at));
        break;
      case 0xd1:
        value = BigInt(view.getInt16(at));
        break;
      case 0xd2:
        value = BigInt(view.getInt32(at));
        break;
      default:
        value = view.getBigInt64(at);
    }
    this.offset += 1 + width;
    return value;
  }

  /** Any integer encoding whose value is a safe JS integer. */
  readInt(): number {
    const lead = this.peekByte();
    if (lead <= 0x7f) {
      this.offset++;
      return lead;
    }
    if (lead >= 0xe0) {
      this.offset++;
      return lead - 256;
    }
    const small = this.#readSmallInt(lead);
    if (small !== undefined) return small;
    const start = this.offset;
    const value = this.readBigInt();
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new MsgpackError(`Cannot read integer "${value}": exceeds 2^53`, start);
    }
    return Number(value);
  }

  /** Any integer encoding whose value is in 0..max. */
  readUint(max = Number.MAX_SAFE_INTEGER): number {
    const start = this.offset;
    const value = this.readInt();
    if (value < 0 || value > max) {
      throw new MsgpackError(`Cannot read unsigned integer "${value}": outside 0..${max}`, start);
    }
    return value;
  }

  /** Integers of up to 32 bits without BigInt; undefined for other lead bytes. */
  #readSmallInt(lead: number): number | undefined {
    const view = this.#view;
    const at = this.offset + 1;
    let width: number;
    let value: number;
    switch (lead) {
      case 0xcc:
      case 0xd0:
        width = 1;
        this.#need(2);
        value = lead === 0xcc ? view.getUint8(at) : view.getInt8(at);
        break;
      case 0xcd:
      case 0xd1:
        width = 2;
        this.#need(3);
        value = lead === 0xcd ? view.getUint16(at) : view.getInt16(at);
        break;
      case 0xce:
      case 0xd2:
        width = 4;
        this.#need(5);
        value = lead === 0xce ? view.getUint32(at) : view.getInt32(at);
        break;
      default:
        return undefined;
    }
    this.offset += 1 + width;
    return value;
  }

  /** Any integer encoding whose value fits int64. */
  readInt64(): bigint {
    const start = this.offset;
    const value = this.readBigInt();
    if (value > int64Max) throw new MsgpackError(`Cannot read int64 "${value}": too large`, start);
    return value;
  }

  /** Any non-negative integer encoding, up to 2^64 - 1. */
  readUint64(): bigint {
    const start = this.offset;
    const value = this.readBigInt();
    if (value < 0n) throw new MsgpackError(`Cannot read uint64 "${value}": negative`, start);
    return value;
  }

  #lengthAfter(prefixBytes: number, widthBytes: number): number {
    this.#need(prefixBytes + widthBytes);
    const at = this.offset + prefixBytes;
    if (widthBytes === 1) return this.bytes[at];
    if (widthBytes === 2) return this.#view.getUint16(at);
    return this.#view.getUint32(at);
  }

  #take(headerBytes: number, length: number): Uint8Array {
    this.#need(headerBytes + length);
    const start = this.offset + headerBytes;
    this.offset = start + length;
    return this.bytes.subarray(start, start + length);
  }

  /** The raw UTF-8 bytes of a str. */
  readStrBytes(): Uint8Array {
    const lead = this.peekByte();
    if (lead >= 0xa0 && lead <= 0xbf) return this.#take(1, lead & 0x1f);
    if (lead === 0xd9) return this.#take(2, this.#lengthAfter(1, 1));
    if (lead === 0xda) return this.#take(3, this.#lengthAfter(1, 2));
    if (lead === 0xdb) return this.#take(5, this.#lengthAfter(1, 4));
    this.#fail("str", lead);
  }

  readStr(): string {
    return decodeUtf8(this.readStrBytes());
  }

  /** A bin value (a view into the input, not a copy). */
  readBin(): Uint8Array {
    const lead = this.peekByte();
    if (lead === 0xc4) return this.#take(2, this.#lengthAfter(1, 1));
    if (lead === 0xc5) return this.#take(3, this.#lengthAfter(1, 2));
    if (lead === 0xc6) return this.#take(5, this.#lengthAfter(1, 4));
    this.#fail("bin", lead);
  }

  /** A bin of exactly `length` bytes (msgp fixed arrays such as UUIDs). */
  readBinFixed(length: number): Uint8Array {
    const start = this.offset;
    const bytes = this.readBin();
    if (bytes.length !== length) {
      throw new MsgpackError(`Cannot read bin[${length}]: got ${bytes.length} bytes`, start);
    }
    return bytes;
  }

  /** A struct-field name: str or bin (msgp `ReadMapKeyZC`). */
  readKey(): string {
    const kind = this.peekKind();
    if (kind === "bin") return decodeUtf8(this.readBin());
    return this.readStr();
  }

  readArrayHeader(): number {
    const lead = this.peekByte();
    let count: number;
    if (lead >= 0x90 && lead <= 0x9f) {
      count = lead & 0x0f;
      this.offset++;
    } else if (lead === 0xdc) {
      count = this.#lengthAfter(1, 2);
      this.offset += 3;
    } else if (lead === 0xdd) {
      count = this.#lengthAfter(1, 4);
      this.offset += 5;
    } else this.#fail("array", lead);
    this.#need(count);
    return count;
  }

  readMapHeader(): number {
    const lead = this.peekByte();
    let count: number;
    if (lead >= 0x80 && lead <= 0x8f) {
      count = lead & 0x0f;
      this.offset++;
    } else if (lead === 0xde) {
      count = this.#lengthAfter(1, 2);
      this.offset += 3;
    } else if (lead === 0xdf) {
      count = this.#lengthAfter(1, 4);
      this.offset += 5;
    } else this.#fail("map", lead);
    this.#need(2 * count);
    return count;
  }

  /** An ext header: type and payload length; the offset is left at the payload. */
  #readExtHeader(): { type: number; length: number } {
    const lead = this.peekByte();
    const fixed: Record<number, number> = { 0xd4: 1, 0xd5: 2, 0xd6: 4, 0xd7: 8, 0xd8: 16 };
    let headerBytes: number;
    let length: number;
    if (fixed[lead] !== undefined) {
      headerBytes = 2;
      length = fixed[lead];
    } else if (lead === 0xc7) {
      headerBytes = 3;
      length = this.#lengthAfter(1, 1);
    } else if (lead === 0xc8) {
      headerBytes = 4;
      length = this.#lengthAfter(1, 2);
    } else if (lead === 0xc9) {
      headerBytes = 6;
      length = this.#lengthAfter(1, 4);
    } else this.#fail("ext", lead);
    this.#need(headerBytes + length);
    const type = this.#view.getInt8(this.offset + headerBytes - 1);
    this.offset += headerBytes;
    return { type, length };
  }

  /** A time: msgp ext 5 (12 bytes) or the standard timestamp ext -1 (4, 8 or 12 bytes). */
  readTime(): MsgpTime {
    const start = this.offset;
    const { type, length } = this.#readExtHeader();
    const at = this.offset;
    this.offset += length;
    const view = this.#view;
    if (type === msgpTimeExtType && length === 12) {
      return timeChecked(view.getBigInt64(at), view.getUint32(at + 8), start);
    }
    if (type === standardTimeExtType && length === 4) {
      return { seconds: BigInt(view.getUint32(at)), nanos: 0 };
    }
    if (type === standardTimeExtType && length === 8) {
      const packed = view.getBigUint64(at);
      return timeChecked(packed & 0x3_ffff_ffffn, Number(packed >> 34n), start);
    }
    if (type === standardTimeExtType && length === 12) {
      return timeChecked(view.getBigInt64(at + 4), view.getUint32(at), start);
    }
    throw new MsgpackError(`Cannot read time from ext type ${type} of ${length} bytes`, start);
  }

  /** Skips one complete value of any type. */
  skip(depth = 0): void {
    if (depth > msgpackNestingMax) {
      throw new MsgpackError(
        `Cannot skip value: nested deeper than ${msgpackNestingMax}`,
        this.offset,
      );
    }
    const kind = this.peekKind();
    switch (kind) {
      case "nil":
      case "bool":
        this.offset++;
        return;
      case "int":
        this.readBigInt();
        return;
      case "float":
        this.#take(1, this.peekByte() === 0xca ? 4 : 8);
        return;
      case "str":
        this.readStrBytes();
        return;
      case "bin":
        this.readBin();
        return;
      case "array":
        for (let i = this.readArrayHeader(); i > 0; i--) this.skip(depth + 1);
        return;
      case "map":
        for (let i = 2 * this.readMapHeader(); i > 0; i--) this.skip(depth + 1);
        return;
      case "ext": {
        const { length } = this.#readExtHeader();
        this.offset += length;
        return;
      }
    }
  }

  /** Skips one value and returns its encoded bytes (a view into the input). */
  readRaw(): Uint8Array {
    const start = this.offset;
    this.skip();
    return this.bytes.subarray(start, this.offset);
  }
}

/** UTF-8 bytes of `text`, without a TextEncoder call for short ASCII text. */
export function encodeUtf8(text: string): Uint8Array {
  if (!isShortAscii(text)) return utf8Encoder.encode(text);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Strings of at most 255 ASCII characters: keys and most values, encoded without TextEncoder. */
function isShortAscii(value: string): boolean {
  if (value.length > 255) return false;
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 0x7f) return false;
  }
  return true;
}

/** UTF-8 decoding with a fast path for short ASCII (TextDecoder calls cost more than the work). */
export function decodeUtf8(bytes: Uint8Array): string {
  if (bytes.length > 64) return utf8Decoder.decode(bytes);
  let text = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b > 0x7f) return utf8Decoder.decode(bytes);
    text += String.fromCharCode(b);
  }
  return text;
}

function timeChecked(seconds: bigint, nanos: number, offset: number): MsgpTime {
  if (nanos > 999_999_999) {
    throw new MsgpackError(`Cannot read time: nanoseconds ${nanos} out of range`, offset);
  }
  return { seconds, nanos };
}

/** Unix nanoseconds ↔ msgp time. */
export function timeFromUnixNs(unixNs: bigint): MsgpTime {
  let seconds = unixNs / 1_000_000_000n;
  let nanos = unixNs % 1_000_000_000n;
  if (nanos < 0n) {
    nanos += 1_000_000_000n;
    seconds -= 1n;
  }
  return { seconds, nanos: Number(nanos) };
}

export function timeToUnixNs(time: MsgpTime): bigint {
  return time.seconds * 1_000_000_000n + BigInt(time.nanos);
}

/** Go's zero `time.Time` (year 1), which msgp writes for unset times. */
export const goZeroTime: MsgpTime = { seconds: -62135596800n, nanos: 0 };
