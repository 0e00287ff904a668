//! HighwayHash (Google, "stable" since January 2018) with 256-bit output.
//!
//! State: four lanes of u64 in each of v0, v1, mul0, mul1. A 32-byte packet is four
//! little-endian u64 lanes. Finalization runs ten permute-and-update rounds and a modular
//! reduction to four u64 words, written little endian.

use core::arch::wasm32::*;

const INIT0: [u64; 4] = [0xdbe6d5d5fe4cce2f, 0xa4093822299f31d0, 0x13198a2e03707344, 0x243f6a8885a308d3];
const INIT1: [u64; 4] = [0x3bd39e10cb0ef593, 0xc0acf169b5f18a8c, 0xbe5466cf34e90c6c, 0x452821e638d01377];

/// v0, v1, mul0, mul1 as 16 little-endian u64.
pub const STATE_BYTES: usize = 128;

/// The four u64 lanes of v0, v1, mul0 and mul1, each as a low (lanes 0, 1) and high (lanes 2, 3)
/// v128.
pub struct HighwayHash {
    v0: [v128; 2],
    v1: [v128; 2],
    mul0: [v128; 2],
    mul1: [v128; 2],
}

/// Byte shuffle of one v128 half that HighwayHash calls "zipper merge".
#[inline(always)]
fn zipper_merge(v: v128) -> v128 {
    i8x16_shuffle::<3, 12, 2, 5, 14, 1, 15, 0, 11, 4, 10, 13, 9, 6, 8, 7>(v, v)
}

/// Swaps the 32-bit halves of each u64 lane.
#[inline(always)]
fn rotate_lanes_32(v: v128) -> v128 {
    i32x4_shuffle::<1, 0, 3, 2>(v, v)
}

/// [lo32(a[l]) * lo32(b[l] >> 32)] for the four u64 lanes l of the pairs (a_low, a_high) and
/// (b_low, b_high), as (low, high).
#[inline(always)]
fn mul_low_by_high(a: [v128; 2], b: [v128; 2]) -> [v128; 2] {
    let a_low32 = i32x4_shuffle::<0, 2, 4, 6>(a[0], a[1]);
    let b_high32 = i32x4_shuffle::<1, 3, 5, 7>(b[0], b[1]);
    [u64x2_extmul_low_u32x4(a_low32, b_high32), u64x2_extmul_high_u32x4(a_low32, b_high32)]
}

/// Each 32-bit half of each lane rotated left by `count` (0..31).
#[inline(always)]
fn rotate_halves(v: v128, count: u32) -> v128 {
    v128_or(i32x4_shl(v, count), u32x4_shr(v, (32 - count) & 31))
}

/// (m1, m0) = the 256→128-bit reduction of (a3, a2, a1, a0).
fn modular_reduction(a3_unmasked: u64, a2: u64, a1: u64, a0: u64) -> (u64, u64) {
    let a3 = a3_unmasked & 0x3FFFFFFFFFFFFFFF;
    let m1 = a1 ^ ((a3 << 1) | (a2 >> 63)) ^ ((a3 << 2) | (a2 >> 62));
    let m0 = a0 ^ (a2 << 1) ^ (a2 << 2);
    (m1, m0)
}

unsafe fn load_pair(p: *const u8) -> [v128; 2] {
    [v128_load(p as *const v128), v128_load(p.add(16) as *const v128)]
}

unsafe fn store_pair(p: *mut u8, pair: [v128; 2]) {
    v128_store(p as *mut v128, pair[0]);
    v128_store(p.add(16) as *mut v128, pair[1]);
}

impl HighwayHash {
    pub unsafe fn new(key: *const u8) -> HighwayHash {
        let init0 = load_pair(INIT0.as_ptr() as *const u8);
        let init1 = load_pair(INIT1.as_ptr() as *const u8);
        let key = load_pair(key);
        HighwayHash {
            v0: [v128_xor(init0[0], key[0]), v128_xor(init0[1], key[1])],
            v1: [
                v128_xor(init1[0], rotate_lanes_32(key[0])),
                v128_xor(init1[1], rotate_lanes_32(key[1])),
            ],
            mul0: init0,
            mul1: init1,
        }
    }

    pub unsafe fn load(state: *const u8) -> HighwayHash {
        HighwayHash {
            v0: load_pair(state),
            v1: load_pair(state.add(32)),
            mul0: load_pair(state.add(64)),
            mul1: load_pair(state.add(96)),
        }
    }

    pub unsafe fn store(&self, state: *mut u8) {
        store_pair(state, self.v0);
        store_pair(state.add(32), self.v1);
        store_pair(state.add(64), self.mul0);
        store_pair(state.add(96), self.mul1);
    }

    #[inline(always)]
    fn update(&mut self, packet: [v128; 2]) {
        for h in 0..2 {
            self.v1[h] = i64x2_add(self.v1[h], i64x2_add(self.mul0[h], packet[h]));
        }
        let product = mul_low_by_high(self.v1, self.v0);
        for h in 0..2 {
            self.mul0[h] = v128_xor(self.mul0[h], product[h]);
            self.v0[h] = i64x2_add(self.v0[h], self.mul1[h]);
        }
        let product = mul_low_by_high(self.v0, self.v1);
        for h in 0..2 {
            self.mul1[h] = v128_xor(self.mul1[h], product[h]);
        }
        for h in 0..2 {
            self.v0[h] = i64x2_add(self.v0[h], zipper_merge(self.v1[h]));
        }
        for h in 0..2 {
            self.v1[h] = i64x2_add(self.v1[h], zipper_merge(self.v0[h]));
        }
    }

    /// Absorbs `len` bytes (a multiple of 32).
    pub unsafe fn update_packets(&mut self, data: *const u8, len: usize) {
        let mut offset = 0;
        while offset < len {
            self.update(load_pair(data.add(offset)));
            offset += 32;
        }
    }

    /// Absorbs the final 1..31 bytes (nothing for 0).
    unsafe fn update_remainder(&mut self, bytes: *const u8, size_mod32: usize) {
        let size_mod4 = size_mod32 & 3;
        let whole = size_mod32 & !3;
        let remainder = bytes.add(whole);
        let mut packet = [0u8; 32];
        let increment = u64x2_splat(((size_mod32 as u64) << 32) + size_mod32 as u64);
        for h in 0..2 {
            self.v0[h] = i64x2_add(self.v0[h], increment);
            self.v1[h] = rotate_halves(self.v1[h], size_mod32 as u32);
        }
        for i in 0..whole {
            packet[i] = *bytes.add(i);
        }
        if size_mod32 & 16 != 0 {
            for i in 0..4 {
                packet[28 + i] = *remainder.add(i + size_mod4).sub(4);
            }
        } else if size_mod4 != 0 {
            packet[16] = *remainder;
            packet[17] = *remainder.add(size_mod4 >> 1);
            packet[18] = *remainder.add(size_mod4 - 1);
        }
        self.update(load_pair(packet.as_ptr()));
    }

    fn permute_and_update(&mut self) {
        let permuted = [rotate_lanes_32(self.v0[1]), rotate_lanes_32(self.v0[0])];
        self.update(permuted);
    }

    /// Absorbs the last `rem_len` (< 32) bytes and writes the 256-bit hash at `out`.
    pub unsafe fn finish256(&mut self, rem: *const u8, rem_len: usize, out: *mut u8) {
        if rem_len != 0 {
            self.update_remainder(rem, rem_len);
        }
        for _ in 0..10 {
            self.permute_and_update();
        }
        let lane = |pair: &[v128; 2], l: usize| -> u64 {
            match l {
                0 => u64x2_extract_lane::<0>(pair[0]),
                1 => u64x2_extract_lane::<1>(pair[0]),
                2 => u64x2_extract_lane::<0>(pair[1]),
                _ => u64x2_extract_lane::<1>(pair[1]),
            }
        };
        let sum = |pair: &[v128; 2], mul: &[v128; 2], l: usize| lane(pair, l).wrapping_add(lane(mul, l));
        let (h1, h0) = modular_reduction(
            sum(&self.v1, &self.mul1, 1),
            sum(&self.v1, &self.mul1, 0),
            sum(&self.v0, &self.mul0, 1),
            sum(&self.v0, &self.mul0, 0),
        );
        let (h3, h2) = modular_reduction(
            sum(&self.v1, &self.mul1, 3),
            sum(&self.v1, &self.mul1, 2),
            sum(&self.v0, &self.mul0, 3),
            sum(&self.v0, &self.mul0, 2),
        );
        for (i, word) in [h0, h1, h2, h3].iter().enumerate() {
            core::ptr::write_unaligned(out.add(8 * i) as *mut u64, word.to_le());
        }
    }
}

/// Hashes of `count` slices. Slices go through in pairs, two independent states updated in one
/// loop: one HighwayHash update is a chain of dependent multiplies and shuffles (latency-bound),
/// so the CPU overlaps a second chain nearly for free.
pub unsafe fn hash256_batch(
    key: *const u8,
    data: *const u8,
    len: usize,
    stride: usize,
    count: usize,
    out: *mut u8,
    out_stride: usize,
) {
    let whole = len & !31;
    let mut i = 0;
    while i + 2 <= count {
        let (slice0, slice1) = (data.add(i * stride), data.add((i + 1) * stride));
        let mut hash0 = HighwayHash::new(key);
        let mut hash1 = HighwayHash::new(key);
        let mut offset = 0;
        while offset < whole {
            hash0.update(load_pair(slice0.add(offset)));
            hash1.update(load_pair(slice1.add(offset)));
            offset += 32;
        }
        hash0.finish256(slice0.add(whole), len & 31, out.add(i * out_stride));
        hash1.finish256(slice1.add(whole), len & 31, out.add((i + 1) * out_stride));
        i += 2;
    }
    if i < count {
        let slice = data.add(i * stride);
        let mut hash = HighwayHash::new(key);
        hash.update_packets(slice, whole);
        hash.finish256(slice.add(whole), len & 31, out.add(i * out_stride));
    }
}
