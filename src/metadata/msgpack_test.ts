import { decode as oracleDecode, encode as oracleEncode } from "@msgpack/msgpack";
import { assert, assertEquals, assertThrows } from "../testing/assert.ts";
import {
  goZeroTime,
  MsgpackError,
  MsgpackReader,
  MsgpackWriter,
  timeFromUnixNs,
  timeToUnixNs,
} from "./msgpack.ts";
import { seededRandom } from "../testing/seeded_random.ts";

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function written(build: (w: MsgpackWriter) => void): string {
  const writer = new MsgpackWriter(4);
  build(writer);
  return hex(writer.bytes());
}

Deno.test("int() uses fixint/int16/int32/int64 for non-negative values, never unsigned types", () => {
  assertEquals(written((w) => w.int(0)), "00");
  assertEquals(written((w) => w.int(127)), "7f");
  assertEquals(written((w) => w.int(128)), "d10080");
  assertEquals(written((w) => w.int(255)), "d100ff");
  assertEquals(written((w) => w.int(32767)), "d17fff");
  assertEquals(written((w) => w.int(32768)), "d200008000");
  assertEquals(written((w) => w.int(1048576)), "d200100000");
  assertEquals(written((w) => w.int(2147483647)), "d27fffffff");
  assertEquals(written((w) => w.int(2147483648)), "d30000000080000000");
  assertEquals(written((w) => w.int(1700000000123456789n)), "d317979cfe3d85cd15");
});

Deno.test("int() uses negative fixint down to -32, then int8/16/32/64", () => {
  assertEquals(written((w) => w.int(-1)), "ff");
  assertEquals(written((w) => w.int(-32)), "e0");
  assertEquals(written((w) => w.int(-33)), "d0df");
  assertEquals(written((w) => w.int(-128)), "d080");
  assertEquals(written((w) => w.int(-129)), "d1ff7f");
  assertEquals(written((w) => w.int(-32769)), "d2ffff7fff");
  assertEquals(written((w) => w.int(-2147483649)), "d3ffffffff7fffffff");
});

Deno.test("uint() uses fixint, then uint8/16/32/64", () => {
  assertEquals(written((w) => w.uint(127)), "7f");
  assertEquals(written((w) => w.uint(128)), "cc80");
  assertEquals(written((w) => w.uint(256)), "cd0100");
  assertEquals(written((w) => w.uint(65536)), "ce00010000");
  assertEquals(written((w) => w.uint(1709666000)), "ce65e76ed0");
  assertEquals(written((w) => w.uint(2n ** 32n)), "cf0000000100000000");
  assertEquals(written((w) => w.uint32Fixed(3)), "ce00000003");
});

Deno.test("str and bin pick the smallest header of their own family", () => {
  const sizes = [0, 31, 32, 255, 256, 65535, 65536];
  const strLeads = ["a0", "bf", "d9", "d9", "da", "da", "db"];
  const binLeads = ["c4", "c4", "c4", "c4", "c5", "c5", "c6"];
  sizes.forEach((size, i) => {
    assertEquals(written((w) => w.str("x".repeat(size))).slice(0, 2), strLeads[i], `str ${size}`);
    assertEquals(
      written((w) => w.bin(new Uint8Array(size))).slice(0, 2),
      binLeads[i],
      `bin ${size}`,
    );
  });
  assertEquals(written((w) => w.bin32Header(3)), "c600000003");
});

Deno.test("array and map headers: fix up to 15, then 16-bit, then 32-bit", () => {
  assertEquals(written((w) => w.arrayHeader(15)), "9f");
  assertEquals(written((w) => w.arrayHeader(16)), "dc0010");
  assertEquals(written((w) => w.arrayHeader(70000)), "dd00011170");
  assertEquals(written((w) => w.mapHeader(3)), "83");
  assertEquals(written((w) => w.mapHeader(17)), "de0011");
});

Deno.test("time() writes msgp's ext 5: c7 0c 05, BE seconds, BE nanoseconds", () => {
  const time = timeFromUnixNs(1700000000123456789n);
  assertEquals(time, { seconds: 1700000000n, nanos: 123456789 });
  assertEquals(written((w) => w.time(time)), "c70c05" + "000000006553f100" + "075bcd15");
  assertEquals(timeToUnixNs(timeFromUnixNs(-1n)), -1n);
  const zero = new MsgpackReader(new MsgpackWriter().time(goZeroTime).bytes()).readTime();
  assertEquals(zero, goZeroTime);
});

Deno.test("the reader reads the standard timestamp extension that other encoders write", () => {
  for (const ms of [0, 1700000000123, 4102444800000, -1000]) {
    const bytes = oracleEncode(new Date(ms));
    const time = new MsgpackReader(bytes).readTime();
    assertEquals(timeToUnixNs(time), BigInt(ms) * 1_000_000n, `time ${ms}`);
  }
});

function randomInt(random: () => number): number {
  const magnitude = 2 ** Math.floor(random() * 53);
  const value = Math.floor(random() * magnitude);
  return random() < 0.3 && value !== 0 ? -value : value;
}

Deno.test("an independent decoder reads every integer, string and byte array we write", () => {
  const seed = Date.now() >>> 0;
  console.log(`msgpack oracle seed ${seed}`);
  const random = seededRandom(seed);
  for (let i = 0; i < 2000; i++) {
    const value = randomInt(random);
    const text = "é".repeat(Math.floor(random() * 200));
    const bytes = Uint8Array.from({ length: Math.floor(random() * 300) }, () => random() * 256);
    const writer = new MsgpackWriter().arrayHeader(4).int(value).uint(Math.abs(value)).str(text)
      .bin(bytes);
    const decoded = oracleDecode(writer.bytes(), { useBigInt64: true }) as unknown[];
    assertEquals(BigInt(decoded[0] as number | bigint), BigInt(value));
    assertEquals(BigInt(decoded[1] as number | bigint), BigInt(Math.abs(value)));
    assertEquals(decoded[2], text);
    assertEquals(decoded[3], bytes);
  }
});

Deno.test("the reader accepts any integer width the independent encoder picks", () => {
  const seed = (Date.now() >>> 0) ^ 0x5bd1e995;
  console.log(`msgpack leniency seed ${seed}`);
  const random = seededRandom(seed);
  for (let i = 0; i < 2000; i++) {
    const value = randomInt(random);
    const reader = new MsgpackReader(oracleEncode({ n: value, s: "text" }));
    assertEquals(reader.readMapHeader(), 2);
    assertEquals(reader.readKey(), "n");
    assertEquals(reader.readInt(), value);
    assertEquals(reader.readKey(), "s");
    assertEquals(reader.readStr(), "text");
  }
});

Deno.test("every prefix of a valid value fails with MsgpackError, never a RangeError", () => {
  const writer = new MsgpackWriter().mapHeader(3).str("a").int(-70000).str("b").bin(
    new Uint8Array(300),
  )
    .str("c").arrayHeader(2).time(timeFromUnixNs(5n)).uint(2n ** 40n);
  const bytes = writer.bytes();
  for (let length = 0; length < bytes.length; length++) {
    assertThrows(() => new MsgpackReader(bytes.subarray(0, length)).skip(), MsgpackError);
  }
  new MsgpackReader(bytes).skip();
});

Deno.test("counts and lengths larger than the remaining bytes are rejected up front", () => {
  assertThrows(
    () => new MsgpackReader(new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff])).readArrayHeader(),
    MsgpackError,
  );
  assertThrows(
    () => new MsgpackReader(new Uint8Array([0xdf, 0x00, 0x01, 0x00, 0x00, 1, 2])).readMapHeader(),
    MsgpackError,
  );
  assertThrows(
    () => new MsgpackReader(new Uint8Array([0xc6, 0x7f, 0xff, 0xff, 0xff, 0])).readBin(),
    MsgpackError,
  );
});

Deno.test("types are checked: str is not bin, bin is not str, negative is not unsigned", () => {
  const str = new MsgpackWriter().str("abc").bytes();
  const bin = new MsgpackWriter().bin(new Uint8Array(3)).bytes();
  assertThrows(() => new MsgpackReader(str).readBin(), MsgpackError);
  assertThrows(() => new MsgpackReader(bin).readStr(), MsgpackError);
  assertEquals(new MsgpackReader(bin).readKey(), "\0\0\0", "map keys may be bin");
  assertThrows(
    () => new MsgpackReader(new MsgpackWriter().int(-1).bytes()).readUint(),
    MsgpackError,
  );
  assertThrows(() => new MsgpackReader(bin).readBinFixed(16), MsgpackError);
  const big = new MsgpackWriter().uint(2n ** 60n).bytes();
  assertThrows(() => new MsgpackReader(big).readInt(), MsgpackError);
  assertEquals(new MsgpackReader(big).readInt64(), 2n ** 60n);
});

Deno.test("skip() stops at the nesting bound instead of exhausting the stack", () => {
  const deep = new Uint8Array(100_000).fill(0x91);
  const error = assertThrows(() => new MsgpackReader(deep).skip(), MsgpackError);
  assert(error.message.includes("nested"));
});
