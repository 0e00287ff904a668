//! HighwayHash (Google, "stable" since January 2018) with 256-bit output.
//!
//! State: four lanes of u64 in each of v0, v1, mul0, mul1. A 32-byte packet is four
//! little-endian u64 lanes. Finalization runs ten permute-and-update rounds and a modular
//! reduction to four u64 words, written little endian.

const INIT0: [u64; 4] = [0xdbe6d5d5fe4cce2f, 0xa4093822299f31d0, 0x13198a2e03707344, 0x243f6a8885a308d3];
const INIT1: [u64; 4] = [0x3bd39e10cb0ef593, 0xc0acf169b5f18a8c, 0xbe5466cf34e90c6c, 0x452821e638d01377];

/// v0, v1, mul0, mul1 as 16 little-endian u64.
pub const STATE_BYTES: usize = 128;

pub struct HighwayHash {
    v0: [u64; 4],
    v1: [u64; 4],
    mul0: [u64; 4],
    mul1: [u64; 4],
}

unsafe fn read_u64(p: *const u8) -> u64 {
    u64::from_le(core::ptr::read_unaligned(p as *const u64))
}

unsafe fn write_u64(p: *mut u8, value: u64) {
    core::ptr::write_unaligned(p as *mut u64, value.to_le())
}

/// Adds the byte-shuffled ("zipper-merged") v1:v0 pair into add1:add0.
fn zipper_merge_and_add(v1: u64, v0: u64, add1: &mut u64, add0: &mut u64) {
    *add0 = add0.wrapping_add(
        (((v0 & 0xff000000) | (v1 & 0xff00000000)) >> 24)
            | (((v0 & 0xff0000000000) | (v1 & 0xff000000000000)) >> 16)
            | (v0 & 0xff0000)
            | ((v0 & 0xff00) << 32)
            | ((v1 & 0xff00000000000000) >> 8)
            | (v0 << 56),
    );
    *add1 = add1.wrapping_add(
        (((v1 & 0xff000000) | (v0 & 0xff00000000)) >> 24)
            | (v1 & 0xff0000)
            | ((v1 & 0xff0000000000) >> 16)
            | ((v1 & 0xff00) << 24)
            | ((v0 & 0xff000000000000) >> 8)
            | ((v1 & 0xff) << 48)
            | (v0 & 0xff00000000000000),
    );
}

fn rotate_halves(x: u64, count: u32) -> u64 {
    let low = (x as u32).rotate_left(count) as u64;
    let high = ((x >> 32) as u32).rotate_left(count) as u64;
    low | (high << 32)
}

/// (m1, m0) = the 256→128-bit reduction of (a3, a2, a1, a0).
fn modular_reduction(a3_unmasked: u64, a2: u64, a1: u64, a0: u64) -> (u64, u64) {
    let a3 = a3_unmasked & 0x3FFFFFFFFFFFFFFF;
    let m1 = a1 ^ ((a3 << 1) | (a2 >> 63)) ^ ((a3 << 2) | (a2 >> 62));
    let m0 = a0 ^ (a2 << 1) ^ (a2 << 2);
    (m1, m0)
}

impl HighwayHash {
    pub unsafe fn new(key: *const u8) -> HighwayHash {
        let mut hash = HighwayHash { v0: [0; 4], v1: [0; 4], mul0: INIT0, mul1: INIT1 };
        for i in 0..4 {
            let k = read_u64(key.add(8 * i));
            hash.v0[i] = INIT0[i] ^ k;
            hash.v1[i] = INIT1[i] ^ k.rotate_left(32);
        }
        hash
    }

    pub unsafe fn load(state: *const u8) -> HighwayHash {
        let mut hash = HighwayHash { v0: [0; 4], v1: [0; 4], mul0: [0; 4], mul1: [0; 4] };
        for i in 0..4 {
            hash.v0[i] = read_u64(state.add(8 * i));
            hash.v1[i] = read_u64(state.add(32 + 8 * i));
            hash.mul0[i] = read_u64(state.add(64 + 8 * i));
            hash.mul1[i] = read_u64(state.add(96 + 8 * i));
        }
        hash
    }

    pub unsafe fn store(&self, state: *mut u8) {
        for i in 0..4 {
            write_u64(state.add(8 * i), self.v0[i]);
            write_u64(state.add(32 + 8 * i), self.v1[i]);
            write_u64(state.add(64 + 8 * i), self.mul0[i]);
            write_u64(state.add(96 + 8 * i), self.mul1[i]);
        }
    }

    fn update(&mut self, lanes: [u64; 4]) {
        for i in 0..4 {
            self.v1[i] = self.v1[i].wrapping_add(self.mul0[i].wrapping_add(lanes[i]));
            self.mul0[i] ^= (self.v1[i] & 0xffffffff).wrapping_mul(self.v0[i] >> 32);
            self.v0[i] = self.v0[i].wrapping_add(self.mul1[i]);
            self.mul1[i] ^= (self.v0[i] & 0xffffffff).wrapping_mul(self.v1[i] >> 32);
        }
        let (v0, v1) = (&mut self.v0, &mut self.v1);
        let (mut a0, mut a1, mut a2, mut a3) = (v0[0], v0[1], v0[2], v0[3]);
        zipper_merge_and_add(v1[1], v1[0], &mut a1, &mut a0);
        zipper_merge_and_add(v1[3], v1[2], &mut a3, &mut a2);
        *v0 = [a0, a1, a2, a3];
        let (mut b0, mut b1, mut b2, mut b3) = (v1[0], v1[1], v1[2], v1[3]);
        zipper_merge_and_add(a1, a0, &mut b1, &mut b0);
        zipper_merge_and_add(a3, a2, &mut b3, &mut b2);
        *v1 = [b0, b1, b2, b3];
    }

    /// Absorbs `len` bytes (a multiple of 32).
    pub unsafe fn update_packets(&mut self, data: *const u8, len: usize) {
        let mut offset = 0;
        while offset < len {
            let p = data.add(offset);
            self.update([read_u64(p), read_u64(p.add(8)), read_u64(p.add(16)), read_u64(p.add(24))]);
            offset += 32;
        }
    }

    /// Absorbs the final 1..31 bytes (nothing for 0).
    unsafe fn update_remainder(&mut self, bytes: *const u8, size_mod32: usize) {
        let size_mod4 = size_mod32 & 3;
        let whole = size_mod32 & !3;
        let remainder = bytes.add(whole);
        let mut packet = [0u8; 32];
        for i in 0..4 {
            self.v0[i] = self.v0[i].wrapping_add(((size_mod32 as u64) << 32) + size_mod32 as u64);
            self.v1[i] = rotate_halves(self.v1[i], size_mod32 as u32);
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
        let p = packet.as_ptr();
        self.update([read_u64(p), read_u64(p.add(8)), read_u64(p.add(16)), read_u64(p.add(24))]);
    }

    fn permute_and_update(&mut self) {
        let v0 = self.v0;
        self.update([
            v0[2].rotate_left(32),
            v0[3].rotate_left(32),
            v0[0].rotate_left(32),
            v0[1].rotate_left(32),
        ]);
    }

    /// Absorbs the last `rem_len` (< 32) bytes and writes the 256-bit hash at `out`.
    pub unsafe fn finish256(&mut self, rem: *const u8, rem_len: usize, out: *mut u8) {
        if rem_len != 0 {
            self.update_remainder(rem, rem_len);
        }
        for _ in 0..10 {
            self.permute_and_update();
        }
        let s = &*self;
        let (h1, h0) = modular_reduction(
            s.v1[1].wrapping_add(s.mul1[1]),
            s.v1[0].wrapping_add(s.mul1[0]),
            s.v0[1].wrapping_add(s.mul0[1]),
            s.v0[0].wrapping_add(s.mul0[0]),
        );
        let (h3, h2) = modular_reduction(
            s.v1[3].wrapping_add(s.mul1[3]),
            s.v1[2].wrapping_add(s.mul1[2]),
            s.v0[3].wrapping_add(s.mul0[3]),
            s.v0[2].wrapping_add(s.mul0[2]),
        );
        for (i, word) in [h0, h1, h2, h3].iter().enumerate() {
            write_u64(out.add(8 * i), *word);
        }
    }
}

pub unsafe fn hash256_batch(
    key: *const u8,
    data: *const u8,
    len: usize,
    stride: usize,
    count: usize,
    out: *mut u8,
    out_stride: usize,
) {
    for i in 0..count {
        let slice = data.add(i * stride);
        let mut hash = HighwayHash::new(key);
        hash.update_packets(slice, len & !31);
        hash.finish256(slice.add(len & !31), len & 31, out.add(i * out_stride));
    }
}
