//! Constant-time Montgomery arithmetic modulo a 3072-bit odd number (48 limbs of 64 bits), for
//! SRP's group (`crypto::srp`). Safe Rust, no allocation: fixed arrays that LLVM unrolls.
//!
//! Why not the general big-integer crate for this: at 3072 bits its Montgomery multiplication
//! (~4.7 µs here) has no dedicated squaring, while an exponentiation is 80% squarings. Product
//! scanning with two carry chains per column multiplies in ~4.2 µs and squares in ~3.5 µs
//! (bench/srp-bigint.md, "Own Montgomery kernel"). crypto-bigint still does the conversions.
//!
//! Every function here runs in time independent of the *values* of its operands (no
//! data-dependent branches or memory indices), except [`Modulus::pow_vartime`], which is only for
//! public exponents. Values are little-endian limbs in Montgomery form (x·R mod n, R = 2^3072)
//! and must be below n.

use subtle::{ConditionallySelectable, ConstantTimeEq};

pub(crate) const LIMBS: usize = 48;
pub(crate) type Limbs = [u64; LIMBS];

/// Fixed window of [`Modulus::pow`]: 16 table entries, one multiplication per 4 exponent bits.
const CT_WINDOW: usize = 4;
/// Sliding window of [`Modulus::pow_vartime`]: the 16 odd powers up to base^31.
const VT_WINDOW: usize = 5;

#[derive(Clone)]
pub(crate) struct Modulus {
    n: Limbs,
    /// -n⁻¹ mod 2^64.
    n0inv: u64,
    /// R mod n: 1 in Montgomery form.
    one: Limbs,
}

/// 3-word accumulator += x·y.
macro_rules! acc {
    ($lo:ident, $hi:ident, $c:ident, $x:expr, $y:expr) => {{
        let p = u128::from($x) * u128::from($y);
        let (s, o) = ((u128::from($hi) << 64) | u128::from($lo)).overflowing_add(p);
        $lo = s as u64;
        $hi = (s >> 64) as u64;
        $c += u64::from(o);
    }};
}

impl Modulus {
    /// `n` little-endian; `one` is R mod n (crypto-bigint's `BoxedMontyForm::one`). None if n is
    /// even.
    pub(crate) fn new(n: Limbs, one: Limbs) -> Option<Self> {
        if n[0] & 1 == 0 {
            return None;
        }
        // Newton's iteration doubles the correct low bits each round: 1 → 64 in 6 rounds.
        let mut inv: u64 = 1;
        for _ in 0..6 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(n[0].wrapping_mul(inv)));
        }
        Some(Self {
            n,
            n0inv: inv.wrapping_neg(),
            one,
        })
    }

    /// a·b·R⁻¹ mod n. Product scanning (FIPS): per output column, the a·b products and the m·n
    /// products of the reduction go into two separate accumulators, two independent carry
    /// chains that the CPU overlaps.
    pub(crate) fn mul(&self, a: &Limbs, b: &Limbs) -> Limbs {
        let n = &self.n;
        let mut m = [0u64; LIMBS];
        let mut r = [0u64; LIMBS];
        let (mut lo, mut hi, mut c) = (0u64, 0u64, 0u64);
        for i in 0..LIMBS {
            let (mut l2, mut h2, mut c2) = (0u64, 0u64, 0u64);
            for j in 0..i {
                acc!(lo, hi, c, a[j], b[i - j]);
                acc!(l2, h2, c2, m[j], n[i - j]);
            }
            acc!(lo, hi, c, a[i], b[0]);
            merge(&mut lo, &mut hi, &mut c, l2, h2, c2);
            let mi = lo.wrapping_mul(self.n0inv);
            m[i] = mi;
            (lo, hi, c) = cancel_low(lo, hi, c, mi, n[0]);
        }
        for i in LIMBS..2 * LIMBS - 1 {
            let (mut l2, mut h2, mut c2) = (0u64, 0u64, 0u64);
            for j in i + 1 - LIMBS..LIMBS {
                acc!(lo, hi, c, a[j], b[i - j]);
                acc!(l2, h2, c2, m[j], n[i - j]);
            }
            merge(&mut lo, &mut hi, &mut c, l2, h2, c2);
            r[i - LIMBS] = lo;
            (lo, hi, c) = (hi, c, 0);
        }
        r[LIMBS - 1] = lo;
        self.final_sub(&r, hi)
    }

    /// a²·R⁻¹ mod n: each off-diagonal product once, doubled, so a quarter fewer products than
    /// [`Self::mul`].
    pub(crate) fn sqr(&self, a: &Limbs) -> Limbs {
        let n = &self.n;
        let mut m = [0u64; LIMBS];
        let mut r = [0u64; LIMBS];
        let (mut lo, mut hi, mut c) = (0u64, 0u64, 0u64);
        for i in 0..2 * LIMBS - 1 {
            let first = (i + 1).saturating_sub(LIMBS);
            // 2·Σ a[j]·a[i-j] over j < i-j, plus a[i/2]² for even i.
            let (mut l2, mut h2, mut c2) = (0u64, 0u64, 0u64);
            let mut j = first;
            while 2 * j < i {
                acc!(l2, h2, c2, a[j], a[i - j]);
                j += 1;
            }
            c2 = (c2 << 1) | (h2 >> 63);
            h2 = (h2 << 1) | (l2 >> 63);
            l2 <<= 1;
            if i % 2 == 0 {
                acc!(l2, h2, c2, a[i / 2], a[i / 2]);
            }
            merge(&mut lo, &mut hi, &mut c, l2, h2, c2);
            let last = i.min(LIMBS);
            for j in first..last {
                acc!(lo, hi, c, m[j], n[i - j]);
            }
            if i < LIMBS {
                let mi = lo.wrapping_mul(self.n0inv);
                m[i] = mi;
                (lo, hi, c) = cancel_low(lo, hi, c, mi, n[0]);
            } else {
                r[i - LIMBS] = lo;
                (lo, hi, c) = (hi, c, 0);
            }
        }
        r[LIMBS - 1] = lo;
        self.final_sub(&r, hi)
    }

    /// (carry·R + r) − n when that is not negative, else r; the result is below n when
    /// carry·R + r < 2n, which Montgomery multiplication of values below n guarantees.
    fn final_sub(&self, r: &Limbs, carry: u64) -> Limbs {
        let mut d = [0u64; LIMBS];
        let mut borrow = 0u64;
        for i in 0..LIMBS {
            let (s, b1) = r[i].overflowing_sub(self.n[i]);
            let (s, b2) = s.overflowing_sub(borrow);
            d[i] = s;
            borrow = u64::from(b1 | b2);
        }
        // Keep d when there was a carry out or no borrow: a mask, not a branch.
        let mask = ((carry | (borrow ^ 1)) & 1).wrapping_neg();
        let mut out = [0u64; LIMBS];
        for i in 0..LIMBS {
            out[i] = (d[i] & mask) | (r[i] & !mask);
        }
        out
    }

    /// base^e for a big-endian exponent, in constant time: fixed 4-bit windows over every bit of
    /// the given bytes (leading zero bytes included, so the time depends on the exponent's byte
    /// length only), each table entry read on every lookup.
    pub(crate) fn pow(&self, base: &Limbs, exponent: &[u8]) -> Limbs {
        let table = self.window_table(base);
        let mut acc = self.one;
        let mut first = true;
        for byte in exponent {
            for digit in [byte >> 4, byte & 0x0f] {
                if !first {
                    for _ in 0..CT_WINDOW {
                        acc = self.sqr(&acc);
                    }
                }
                let entry = select(&table, digit);
                // The first window needs no multiplication: acc is 1. Whether this is the first
                // window depends on the position only, never on the exponent's value.
                acc = if first { entry } else { self.mul(&acc, &entry) };
                first = false;
            }
        }
        acc
    }

    /// `table[d] = base^d` for every 4-bit digit d.
    fn window_table(&self, base: &Limbs) -> [Limbs; 1 << CT_WINDOW] {
        let mut table = [self.one; 1 << CT_WINDOW];
        table[1] = *base;
        for i in 2..table.len() {
            table[i] = if i % 2 == 0 {
                self.sqr(&table[i / 2])
            } else {
                self.mul(&table[i - 1], base)
            };
        }
        table
    }

    /// `b0^e0 · b1^e1 · b2^e2` for three 256-bit big-endian exponents, in constant time.
    /// Straus's interleaving: the three powers share one chain of 252 squarings (three separate
    /// exponentiations would square 3 × 252 times), at the price of three table lookups and
    /// multiplications per 4-bit window. Same constant-time rules as [`Self::pow`].
    pub(crate) fn pow3(&self, bases: [&Limbs; 3], exponents: [&[u8; 32]; 3]) -> Limbs {
        let tables = bases.map(|b| self.window_table(b));
        let mut acc = self.one;
        for i in 0..64 {
            if i > 0 {
                for _ in 0..CT_WINDOW {
                    acc = self.sqr(&acc);
                }
            }
            for (k, (table, e)) in tables.iter().zip(exponents).enumerate() {
                let byte = e[i / 2];
                let digit = if i % 2 == 0 { byte >> 4 } else { byte & 0x0f };
                let entry = select(table, digit);
                // The very first lookup needs no multiplication (acc is 1); the position
                // decides that, never the exponent's value.
                acc = if i == 0 && k == 0 {
                    entry
                } else {
                    self.mul(&acc, &entry)
                };
            }
        }
        acc
    }

    /// base^e for a big-endian **public** exponent (SRP's u): sliding windows, so the time and
    /// the table indices depend on the exponent's bits.
    pub(crate) fn pow_vartime(&self, base: &Limbs, exponent: &[u8]) -> Limbs {
        let bits: Vec<bool> = exponent
            .iter()
            .flat_map(|b| (0..8).rev().map(move |i| (b >> i) & 1 == 1))
            .skip_while(|b| !b)
            .collect();
        if bits.is_empty() {
            return self.one;
        }
        // odd[k] = base^(2k+1)
        let mut odd = [*base; 1 << (VT_WINDOW - 1)];
        let base2 = self.sqr(base);
        for k in 1..odd.len() {
            odd[k] = self.mul(&odd[k - 1], &base2);
        }
        let mut acc: Option<Limbs> = None;
        let mut i = 0;
        while i < bits.len() {
            if !bits[i] {
                acc = acc.map(|a| self.sqr(&a));
                i += 1;
                continue;
            }
            // The longest window of at most VT_WINDOW bits starting here that ends in a 1.
            let mut end = (i + VT_WINDOW).min(bits.len());
            while !bits[end - 1] {
                end -= 1;
            }
            let value = bits[i..end]
                .iter()
                .fold(0usize, |v, &b| (v << 1) | usize::from(b));
            acc = Some(match acc {
                None => odd[value >> 1],
                Some(mut a) => {
                    for _ in i..end {
                        a = self.sqr(&a);
                    }
                    self.mul(&a, &odd[value >> 1])
                }
            });
            i = end;
        }
        acc.unwrap_or(self.one)
    }
}

/// Adds m·n0 to the accumulator, whose low word that zeroes (m was chosen so), and shifts the
/// accumulator down one word.
#[inline(always)]
fn cancel_low(lo: u64, hi: u64, c: u64, m: u64, n0: u64) -> (u64, u64, u64) {
    let p = u128::from(m) * u128::from(n0);
    let (s, o) = ((u128::from(hi) << 64) | u128::from(lo)).overflowing_add(p);
    ((s >> 64) as u64, c + u64::from(o), 0)
}

/// Adds the accumulator (l2, h2, c2) into (lo, hi, c).
#[inline(always)]
fn merge(lo: &mut u64, hi: &mut u64, c: &mut u64, l2: u64, h2: u64, c2: u64) {
    let (s, o) = ((u128::from(*hi) << 64) | u128::from(*lo))
        .overflowing_add((u128::from(h2) << 64) | u128::from(l2));
    *lo = s as u64;
    *hi = (s >> 64) as u64;
    *c += c2 + u64::from(o);
}

/// table[digit], reading every entry: the memory access pattern does not depend on the digit.
fn select(table: &[Limbs; 1 << CT_WINDOW], digit: u8) -> Limbs {
    let mut out = [0u64; LIMBS];
    for (i, entry) in (0u8..).zip(table) {
        // One constant-time mask per entry; the limb loop is then plain (vectorisable) bit
        // operations.
        let mask = u64::conditional_select(&0, &u64::MAX, i.ct_eq(&digit));
        for (o, e) in out.iter_mut().zip(entry) {
            *o |= e & mask;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
    use crypto_bigint::{BoxedUint, Odd};
    use rand::{Rng, RngCore};

    const N_HEX: &str = concat!(
        "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD",
        "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
        "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
        "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
        "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
        "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
        "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
        "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    );

    fn limbs(x: &BoxedUint) -> Limbs {
        let mut out = [0u64; LIMBS];
        for (o, l) in out.iter_mut().zip(x.as_limbs()) {
            *o = l.0;
        }
        out
    }

    /// A modulus under test, and the reference arithmetic of crypto-bigint for it.
    fn setup(n_hex: &str) -> (Modulus, BoxedMontyParams) {
        let n = BoxedUint::from_be_slice(&hex::decode(n_hex).expect("hex"), 3072).expect("fits");
        let params = BoxedMontyParams::new_vartime(Odd::new(n.clone()).expect("odd"));
        let one = limbs(BoxedMontyForm::one(&params).as_montgomery());
        (Modulus::new(limbs(&n), one).expect("odd"), params)
    }

    fn random(params: &BoxedMontyParams) -> BoxedMontyForm {
        let mut bytes = [0u8; 384];
        rand::thread_rng().fill_bytes(&mut bytes);
        let x = BoxedUint::from_be_slice(&bytes, 3072).expect("fits");
        BoxedMontyForm::new(x, params)
    }

    fn edge_values(params: &BoxedMontyParams) -> Vec<BoxedMontyForm> {
        let n = params.modulus().as_ref().clone();
        let one = BoxedUint::one_with_precision(3072);
        let two = one.wrapping_add(&one);
        [
            BoxedUint::zero_with_precision(3072),
            one.clone(),
            n.wrapping_sub(&one),
            n.wrapping_sub(&two),
            n.shr_vartime(1).expect("shift"),
        ]
        .into_iter()
        .flat_map(|x| {
            // both as a plain value and as the raw Montgomery representation
            [
                BoxedMontyForm::new(x.clone(), params),
                BoxedMontyForm::from_montgomery(x, params),
            ]
        })
        .collect()
    }

    #[test]
    fn mul_and_sqr_agree_with_crypto_bigint() {
        // The SRP group's N, and a random 3072-bit odd modulus with few special properties
        // (n0inv is 1 for N, not for it).
        let mut other = [0u8; 384];
        rand::thread_rng().fill_bytes(&mut other);
        other[0] |= 0x80;
        other[383] |= 1;
        for n_hex in [N_HEX.to_string(), hex::encode(other)] {
            let (m, params) = setup(&n_hex);
            let mut values = edge_values(&params);
            values.extend((0..40).map(|_| random(&params)));
            for a in &values {
                let al = limbs(a.as_montgomery());
                assert_eq!(m.sqr(&al), limbs(a.square().as_montgomery()));
                for b in values.iter().step_by(7) {
                    let bl = limbs(b.as_montgomery());
                    assert_eq!(m.mul(&al, &bl), limbs(a.mul(b).as_montgomery()));
                }
            }
        }
    }

    #[test]
    fn pow3_is_the_product_of_three_powers() {
        let (m, params) = setup(N_HEX);
        let mut rng = rand::thread_rng();
        let edges = edge_values(&params);
        let mut exponents: Vec<[u8; 32]> = vec![[0; 32], [0xff; 32]];
        let mut small = [0u8; 32];
        small[31] = 1;
        exponents.push(small);
        for _ in 0..4 {
            let mut e = [0u8; 32];
            rng.fill_bytes(&mut e);
            exponents.push(e);
        }
        for round in 0..8 {
            let bases: Vec<BoxedMontyForm> = (0..3)
                .map(|k| {
                    if (round + k) % 3 == 0 {
                        edges[rng.gen_range(0..edges.len())].clone()
                    } else {
                        random(&params)
                    }
                })
                .collect();
            let es: Vec<&[u8; 32]> = (0..3)
                .map(|k| &exponents[(round * 3 + k) % exponents.len()])
                .collect();
            let bl: Vec<Limbs> = bases.iter().map(|b| limbs(b.as_montgomery())).collect();
            let expected = m.mul(
                &m.mul(&m.pow(&bl[0], es[0]), &m.pow(&bl[1], es[1])),
                &m.pow(&bl[2], es[2]),
            );
            assert_eq!(
                m.pow3([&bl[0], &bl[1], &bl[2]], [es[0], es[1], es[2]]),
                expected
            );
        }
    }

    #[test]
    fn pow_agrees_with_crypto_bigint() {
        let (m, params) = setup(N_HEX);
        let mut rng = rand::thread_rng();
        let mut exponents: Vec<Vec<u8>> = vec![
            vec![],
            vec![0],
            vec![1],
            vec![2],
            vec![0, 0, 5],
            vec![0xff; 32],
            vec![0x80; 33],
        ];
        for len in [1, 7, 32, 33, 128] {
            let mut e = vec![0u8; len];
            rng.fill_bytes(&mut e);
            exponents.push(e);
        }
        for e in &exponents {
            let base = if rng.gen_bool(0.5) {
                random(&params)
            } else {
                edge_values(&params)[rng.gen_range(0..10)].clone()
            };
            let wide =
                BoxedUint::from_be_slice(e, (e.len().max(1) * 8).next_multiple_of(64) as u32)
                    .expect("fits");
            let expected = limbs(base.pow(&wide).as_montgomery());
            let bl = limbs(base.as_montgomery());
            assert_eq!(m.pow(&bl, e), expected, "{}", hex::encode(e));
            assert_eq!(m.pow_vartime(&bl, e), expected, "{}", hex::encode(e));
        }
    }
}
