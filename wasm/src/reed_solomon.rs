//! Reed-Solomon over GF(2^8) with MinIO's (klauspost/reedsolomon's) encoding matrix.
//!
//! Field: polynomial x^8+x^4+x^3+x^2+1 (0x11D), generator 2. Encoding matrix: the
//! (data+parity)×data Vandermonde matrix V[r][c] = r^c (0^0 = 1) times the inverse of its top
//! data×data square, so the top rows are the identity and row data+i computes parity i.
//!
//! The multiply kernel splits every byte into nibbles and looks both up in 16-byte product
//! tables with `u8x16_swizzle`, four output rows per pass over each input vector.

use core::arch::wasm32::*;
use core::mem::MaybeUninit;

/// Table lookup of 16 nibbles (indices always < 16). The `relaxed_simd` build (see build.sh)
/// uses `i8x16.relaxed_swizzle`, which engines lower to a bare `pshufb`/`tbl`; for indices < 16
/// its result is defined and equal to `i8x16.swizzle`'s.
#[cfg(not(relaxed_simd))]
#[inline(always)]
fn lookup16(table: v128, nibbles: v128) -> v128 {
    u8x16_swizzle(table, nibbles)
}

#[cfg(relaxed_simd)]
#[inline(always)]
fn lookup16(table: v128, nibbles: v128) -> v128 {
    // Rust 1.63 has no relaxed-SIMD intrinsics; LLVM 14 has the instruction.
    #[repr(simd)]
    #[derive(Copy, Clone)]
    struct I8x16(i8, i8, i8, i8, i8, i8, i8, i8, i8, i8, i8, i8, i8, i8, i8, i8);
    #[allow(improper_ctypes)]
    extern "unadjusted" {
        #[link_name = "llvm.wasm.relaxed.swizzle"]
        fn relaxed_swizzle(table: I8x16, indices: I8x16) -> I8x16;
    }
    unsafe {
        core::mem::transmute(relaxed_swizzle(core::mem::transmute(table), core::mem::transmute(nibbles)))
    }
}

const POLYNOMIAL_LOW_BYTE: u8 = 0x1D;

const fn mul_slow(mut a: u8, mut b: u8) -> u8 {
    let mut product = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            product ^= a;
        }
        let carry = a & 0x80 != 0;
        a <<= 1;
        if carry {
            a ^= POLYNOMIAL_LOW_BYTE;
        }
        b >>= 1;
    }
    product
}

/// EXP[i] = 2^i for i in 0..510 (doubled so EXP[LOG[a] + LOG[b]] needs no reduction).
const fn build_exp() -> [u8; 512] {
    let mut exp = [0u8; 512];
    let mut x = 1u8;
    let mut i = 0;
    while i < 255 {
        exp[i] = x;
        exp[i + 255] = x;
        x = mul_slow(x, 2);
        i += 1;
    }
    exp
}

const fn build_log() -> [u8; 256] {
    let exp = build_exp();
    let mut log = [0u8; 256];
    let mut i = 0;
    while i < 255 {
        log[exp[i] as usize] = i as u8;
        i += 1;
    }
    log
}

/// NIBBLE_TABLES[c] = [c⊗i for i in 0..16] ‖ [c⊗(i<<4) for i in 0..16].
const fn build_nibble_tables() -> [[u8; 32]; 256] {
    let mut tables = [[0u8; 32]; 256];
    let mut c = 0;
    while c < 256 {
        let mut i = 0;
        while i < 16 {
            tables[c][i] = mul_slow(c as u8, i as u8);
            tables[c][16 + i] = mul_slow(c as u8, (i as u8) << 4);
            i += 1;
        }
        c += 1;
    }
    tables
}

static EXP: [u8; 512] = build_exp();
static LOG: [u8; 256] = build_log();
static NIBBLE_TABLES: [[u8; 32]; 256] = build_nibble_tables();

fn mul(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        return 0;
    }
    EXP[LOG[a as usize] as usize + LOG[b as usize] as usize]
}

fn inverse(a: u8) -> u8 {
    EXP[255 - LOG[a as usize] as usize]
}

/// r^c in GF(2^8), with 0^0 = 1.
fn power(r: u8, c: usize) -> u8 {
    if c == 0 {
        return 1;
    }
    if r == 0 {
        return 0;
    }
    EXP[(LOG[r as usize] as usize * c) % 255]
}

pub fn scratch_bytes(total: usize) -> usize {
    3 * total * total
}

/// Inverts the n×n matrix whose row i is `row(i)`; the inverse is written at `out` (n×n).
/// `aug` holds n×2n bytes. Returns 1 when singular.
unsafe fn invert(n: usize, row: impl Fn(usize, usize) -> u8, aug: *mut u8, out: *mut u8) -> u32 {
    let width = 2 * n;
    for r in 0..n {
        for c in 0..n {
            *aug.add(r * width + c) = row(r, c);
            *aug.add(r * width + n + c) = (r == c) as u8;
        }
    }
    for col in 0..n {
        let mut pivot = col;
        while pivot < n && *aug.add(pivot * width + col) == 0 {
            pivot += 1;
        }
        if pivot == n {
            return 1;
        }
        if pivot != col {
            for c in 0..width {
                core::ptr::swap(aug.add(pivot * width + c), aug.add(col * width + c));
            }
        }
        let scale = inverse(*aug.add(col * width + col));
        for c in 0..width {
            *aug.add(col * width + c) = mul(*aug.add(col * width + c), scale);
        }
        for r in 0..n {
            let factor = *aug.add(r * width + col);
            if r == col || factor == 0 {
                continue;
            }
            for c in 0..width {
                *aug.add(r * width + c) ^= mul(factor, *aug.add(col * width + c));
            }
        }
    }
    for r in 0..n {
        for c in 0..n {
            *out.add(r * n + c) = *aug.add(r * width + n + c);
        }
    }
    0
}

/// out (rows×n) = a (rows×n, row i at `a_row(i)`) · b (n×n).
unsafe fn multiply(rows: usize, n: usize, a: impl Fn(usize, usize) -> u8, b: *const u8, out: *mut u8) {
    for r in 0..rows {
        for c in 0..n {
            let mut sum = 0u8;
            for k in 0..n {
                sum ^= mul(a(r, k), *b.add(k * n + c));
            }
            *out.add(r * n + c) = sum;
        }
    }
}

pub unsafe fn encoding_matrix(data: usize, parity: usize, out: *mut u8, scratch: *mut u8) -> u32 {
    let top_inverse = scratch;
    let aug = scratch.add(data * data);
    let vandermonde = |r: usize, c: usize| power(r as u8, c);
    if invert(data, vandermonde, aug, top_inverse) != 0 {
        return 1;
    }
    multiply(data + parity, data, vandermonde, top_inverse, out);
    0
}

pub unsafe fn decoding_matrix(
    data: usize,
    parity: usize,
    present: *const u8,
    missing: *const u8,
    missing_count: usize,
    out: *mut u8,
    scratch: *mut u8,
) -> u32 {
    let total = data + parity;
    let encoding = scratch;
    let sub_inverse = scratch.add(total * data);
    let aug = sub_inverse.add(data * data);
    if encoding_matrix(data, parity, encoding, aug) != 0 {
        return 1;
    }
    let sub = |r: usize, c: usize| *encoding.add(*present.add(r) as usize * data + c);
    if invert(data, sub, aug, sub_inverse) != 0 {
        return 1;
    }
    let wanted = |r: usize, c: usize| *encoding.add(*missing.add(r) as usize * data + c);
    multiply(missing_count, data, wanted, sub_inverse, out);
    0
}

/// Bytes of each shard processed per pass when more than four output rows need several passes
/// over the inputs: 4 KiB × up to 256 inputs stays in L2.
const SLICE_BYTES: usize = 4096;
/// Output rows accumulated in registers per pass over the inputs.
const ROWS_PER_PASS: usize = 4;
/// 16-byte vectors per output row accumulated in registers per pass.
const VECTORS: usize = 4;
/// Largest number of input shards (GF(2^8) allows at most 256 shards in total).
const COLS_MAX: usize = 256;

/// Largest number of output rows (GF(2^8) allows at most 256 shards in total).
const ROWS_MAX: usize = 256;

pub unsafe fn matmul(
    coef: *const u8,
    rows: usize,
    cols: usize,
    len: usize,
    inp: *const u8,
    in_stride: usize,
    out: *mut u8,
    out_stride: usize,
) {
    let mut inputs = [core::ptr::null::<u8>(); COLS_MAX];
    let mut outputs = [core::ptr::null_mut::<u8>(); ROWS_MAX];
    for c in 0..cols {
        inputs[c] = inp.add(c * in_stride);
    }
    for r in 0..rows {
        outputs[r] = out.add(r * out_stride);
    }
    matmul_gather(coef, rows, cols, len, inputs.as_ptr(), outputs.as_ptr())
}

/// out[r] = XOR over c of coef[r][c] ⊗ in[c], for `rows` output shards of `len` bytes; input
/// shard c starts at `inputs[c]`, output shard r at `outputs[r]` (anywhere in memory).
pub unsafe fn matmul_gather(
    coef: *const u8,
    rows: usize,
    cols: usize,
    len: usize,
    inputs: *const *const u8,
    outputs: *const *mut u8,
) {
    let vec_len = len & !15;
    let mut start = 0;
    while start < vec_len {
        let end = if vec_len - start > SLICE_BYTES { start + SLICE_BYTES } else { vec_len };
        let mut row = 0;
        while row < rows {
            let pass = &Pass { coef: coef.add(row * cols), cols, inputs, outputs: outputs.add(row) };
            match rows - row {
                1 => pass.run::<1>(start, end),
                2 => pass.run::<2>(start, end),
                3 => pass.run::<3>(start, end),
                _ => pass.run::<ROWS_PER_PASS>(start, end),
            }
            row += ROWS_PER_PASS;
        }
        start = end;
    }
    matmul_scalar(coef, rows, cols, vec_len, len, inputs, outputs);
}

unsafe fn matmul_scalar(
    coef: *const u8,
    rows: usize,
    cols: usize,
    start: usize,
    end: usize,
    inputs: *const *const u8,
    outputs: *const *mut u8,
) {
    for r in 0..rows {
        for pos in start..end {
            let mut sum = 0u8;
            for c in 0..cols {
                let byte = *(*inputs.add(c)).add(pos);
                let table = &NIBBLE_TABLES[*coef.add(r * cols + c) as usize];
                sum ^= table[(byte & 15) as usize] ^ table[16 + (byte >> 4) as usize];
            }
            *(*outputs.add(r)).add(pos) = sum;
        }
    }
}

/// Up to four output rows computed in one pass over the inputs.
struct Pass {
    coef: *const u8,
    cols: usize,
    inputs: *const *const u8,
    /// This pass's first output row.
    outputs: *const *mut u8,
}

impl Pass {
    /// Computes rows 0..R of this pass for byte positions start..end (multiples of 16).
    #[inline(always)]
    unsafe fn run<const R: usize>(&self, start: usize, end: usize) {
        let mut tables = MaybeUninit::<[v128; 2 * ROWS_PER_PASS * COLS_MAX]>::uninit();
        let tables = tables.as_mut_ptr() as *mut v128;
        for c in 0..self.cols {
            for r in 0..R {
                let table = NIBBLE_TABLES[*self.coef.add(r * self.cols + c) as usize].as_ptr();
                *tables.add(2 * (c * R + r)) = v128_load(table as *const v128);
                *tables.add(2 * (c * R + r) + 1) = v128_load(table.add(16) as *const v128);
            }
        }
        let mut pos = start;
        while pos + 16 * VECTORS <= end {
            self.run_wide::<R, VECTORS>(tables, pos);
            pos += 16 * VECTORS;
        }
        while pos < end {
            self.run_wide::<R, 1>(tables, pos);
            pos += 16;
        }
    }

    /// Rows 0..R for the 16·V bytes at `pos`, accumulated in registers over all inputs.
    #[inline(always)]
    unsafe fn run_wide<const R: usize, const V: usize>(&self, tables: *const v128, pos: usize) {
        let mask = u8x16_splat(0x0f);
        let mut acc = [[u8x16_splat(0); V]; R];
        let mut table = tables;
        for c in 0..self.cols {
            let input = (*self.inputs.add(c)).add(pos);
            let mut lo = [u8x16_splat(0); V];
            let mut hi = [u8x16_splat(0); V];
            for v in 0..V {
                let x = v128_load(input.add(16 * v) as *const v128);
                lo[v] = v128_and(x, mask);
                hi[v] = v128_and(u16x8_shr(x, 4), mask);
            }
            for r in 0..R {
                let t_lo = *table.add(2 * r);
                let t_hi = *table.add(2 * r + 1);
                for v in 0..V {
                    let product = v128_xor(lookup16(t_lo, lo[v]), lookup16(t_hi, hi[v]));
                    acc[r][v] = v128_xor(acc[r][v], product);
                }
            }
            table = table.add(2 * R);
        }
        for r in 0..R {
            for v in 0..V {
                let output = (*self.outputs.add(r)).add(pos + 16 * v);
                v128_store(output as *mut v128, acc[r][v]);
            }
        }
    }
}
