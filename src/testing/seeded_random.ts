/**
 * Seeded randomness for tests and benchmarks: failures replay from the printed seed.
 */

/** mulberry32: a small, fast, seeded generator of floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `length` bytes drawn from `random`, four per draw. */
export function seededBytes(random: () => number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 4) {
    let word = (random() * 4294967296) >>> 0;
    for (let j = i; j < i + 4 && j < length; j++, word >>>= 8) bytes[j] = word & 0xff;
  }
  return bytes;
}

/** Integers below a bound and byte strings from one seed. */
export function randomSource(seed: number) {
  const next = seededRandom(seed);
  return {
    int: (below: number) => Math.floor(next() * below),
    bytes: (length: number) => seededBytes(next, length),
  };
}
