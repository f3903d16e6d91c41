//! SRP-6a exactly as Cognito clients compute it: amazon-cognito-identity-js
//! `src/AuthenticationHelper.js` / `src/CognitoUser.js`, amplify-js
//! `packages/auth/src/providers/cognito/utils/srp/` and pycognito `aws_srp.py` agree on it.
//!
//! One implementation serves user SRP (`USER_SRP_AUTH`, `USER_AUTH` + `PASSWORD_SRP`), device SRP
//! (`DEVICE_SRP_AUTH`, where the "pool name" is the DeviceGroupKey and the "user id" the DeviceKey)
//! and the `USER_PASSWORD_AUTH` password check (`g^x mod N == v`), so one stored
//! `(salt, verifier)` pair per password serves every flow.
//!
//! The public API only speaks big-endian unsigned byte strings, hex and base64: the big-integer
//! crate (`crypto-bigint`, chosen by measurement in `bench/srp-bigint.md`) stays an
//! implementation detail. Everything here is pure: no I/O and no clock (the caller checks
//! TIMESTAMP freshness with the emulator clock, using [`parse_timestamp`]).
//!
//! Cost, CPU time per call in a release build on the 2-core dev machine (`bench/srp-bigint.md`):
//! [`check_password`], [`compute_verifier`], [`new_password_verifier`] and [`server_ephemeral`]
//! ~0.35 ms each (one fixed-base exponentiation through a precomputed table for g);
//! [`verify_claim`] ~3 ms (two 256-bit variable-base exponentiations, through `crypto::mont` in
//! release builds, ~20% less CPU than crypto-bigint); the one-off table build
//! ~50 ms ([`precompute`], started when the server first holds a pool). Debug builds of this
//! crate are at most ~1.6× slower, because the arithmetic runs inside the (optimised) dependency. These calls are CPU-bound: async callers
//! that care about other requests' latency should wrap them in `tokio::task::spawn_blocking`.

use std::collections::HashMap;
use std::sync::LazyLock;

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, Choice, CtAssign, NonZero, Odd, Word};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::mont;

/// RFC 5054 / RFC 3526 3072-bit MODP prime (amplify-js `utils/srp/constants.ts`, `INIT_N`).
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
const N_BITS: u32 = 3072;
const N_BYTES: usize = 384;

/// Exponents up to this many bits (x = SHA-256 output, our own 32-byte b) use the fixed-base
/// table for g; longer ones (a client's 1024-bit a, in tests) fall back to a plain exponentiation.
const TABLE_EXP_BITS: u32 = 256;
/// Window of the fixed-base table: 43 rows of 64 entries (about 1 MiB, built in tens of ms on
/// first use). 43 multiplications replace 256 squarings + 78 multiplications; w=8 (3 MiB) was only
/// marginally faster in the benchmark.
const TABLE_WINDOW: u32 = 6;

const HKDF_INFO: &[u8] = b"Caldera Derived Key";

/// Number of random salt bytes for a new password verifier (what Amplify and the JS SDK use).
const SALT_LEN: usize = 16;
/// Bytes of randomness in the server's secret ephemeral b (256 bits).
const B_LEN: usize = 32;
/// Generous upper bound on a decoded ConfirmDevice salt; real clients send 16 or 17 bytes.
const MAX_DEVICE_SALT: usize = 1024;

/// Why an SRP step was refused. Every variant maps to `NotAuthorizedException` at the caller, so
/// the variants exist for logs and tests, not for the wire.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SrpError {
    #[error("value is empty or not hexadecimal")]
    InvalidHex,
    #[error("public ephemeral value is 0 mod N")]
    ZeroPublicValue,
    #[error("value is not valid base64")]
    InvalidBase64,
    #[error("password verifier is empty, zero or not below N")]
    InvalidVerifier,
    #[error("salt is empty, zero or too long")]
    InvalidSalt,
    #[error("server ephemeral b is zero")]
    InvalidEphemeral,
    #[error("scrambling parameter u is zero")]
    ZeroScrambler,
    #[error("TIMESTAMP is not of the form `Thu Nov 5 09:03:07 UTC 2026`")]
    InvalidTimestamp,
    #[error("password claim signature does not match")]
    SignatureMismatch,
}

/// What the server stores per password (or per remembered device).
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordVerifier {
    /// Random salt bytes; only their integer value matters (see [`salt_param`]).
    pub salt: Vec<u8>,
    /// Big-endian unsigned `v = g^x mod N`, without leading zero bytes.
    pub verifier: Vec<u8>,
}

impl std::fmt::Debug for PasswordVerifier {
    // A verifier allows an offline dictionary attack on the password: keep it out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordVerifier")
            .field("salt", &hex::encode(&self.salt))
            .field("verifier", &"<redacted>")
            .finish()
    }
}

/// The server's ephemeral key pair for one SRP exchange; keep it server-side (it is what
/// SECRET_BLOCK points to; see the README, "Sign-in and tokens").
#[derive(Clone, PartialEq, Eq)]
pub struct ServerEphemeral {
    /// Secret exponent b, big-endian (32 random bytes from [`server_ephemeral`]).
    pub b: Vec<u8>,
    /// Public `B = (k·v + g^b) mod N`, big-endian without leading zero bytes.
    pub srp_b: Vec<u8>,
}

impl std::fmt::Debug for ServerEphemeral {
    // b together with B reveals the verifier (v = (B - g^b)/k): never log it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerEphemeral")
            .field("b", &"<redacted>")
            .field("srp_b", &hex::encode(&self.srp_b))
            .finish()
    }
}

/// Everything [`verify_claim`] needs to check a `PASSWORD_VERIFIER` / `DEVICE_PASSWORD_VERIFIER`
/// answer.
#[derive(Debug, Clone, Copy)]
pub struct ClaimCheck<'a> {
    /// UserPoolId part after `_` (user SRP) or the DeviceGroupKey (device SRP).
    pub pool_name: &'a str,
    /// USER_ID_FOR_SRP (user SRP) or the DeviceKey (device SRP).
    pub user_id: &'a str,
    /// Stored verifier bytes ([`PasswordVerifier::verifier`]).
    pub verifier: &'a [u8],
    /// The client's A as returned by [`parse_srp_a`].
    pub srp_a: &'a [u8],
    /// The ephemeral created when the challenge was issued.
    pub eph: &'a ServerEphemeral,
    /// Decoded bytes of the SECRET_BLOCK that was issued (and echoed back).
    pub secret_block: &'a [u8],
    /// TIMESTAMP exactly as received.
    pub timestamp: &'a str,
    /// PASSWORD_CLAIM_SIGNATURE as received (standard base64).
    pub signature_b64: &'a str,
}

// ----------------------------------------------------------------------------------------------
// Group constants, computed once.

struct Group {
    n: NonZero<BoxedUint>,
    params: BoxedMontyParams,
    one: BoxedMontyForm,
    g: BoxedMontyForm,
    k: BoxedMontyForm,
    /// The same N for the variable-base exponentiations (`crypto::mont`, faster at 3072 bits).
    mont: mont::Modulus,
    /// `table[i][d] = g^(d · 2^(TABLE_WINDOW·i))` in Montgomery form.
    table: Vec<Vec<BoxedUint>>,
}

static GROUP: LazyLock<Group> = LazyLock::new(Group::new);

impl Group {
    fn new() -> Group {
        // N is a compile-time constant: failing here is a programming error that every test hits.
        let n_bytes = hex::decode(N_HEX).expect("N_HEX is valid hex");
        let n = BoxedUint::from_be_slice(&n_bytes, N_BITS).expect("N fits 3072 bits");
        let odd = Odd::new(n.clone()).into_option().expect("N is odd");
        let n = NonZero::new(n).into_option().expect("N is not zero");
        let params = BoxedMontyParams::new_vartime(odd);
        let one = BoxedMontyForm::one(&params);
        let g = BoxedMontyForm::new(
            BoxedUint::from_be_slice(&[2], N_BITS).expect("2 fits"),
            &params,
        );
        // k = H(padHex(N) ‖ padHex(g)) = SHA256(0x00 ‖ N ‖ 0x02): N's top bit is set, hence
        // the 00.
        let mut h = Sha256::new();
        h.update(pad_hex_bytes(&n_bytes));
        h.update(pad_hex_bytes(&[2]));
        let k_bytes = h.finalize();
        let k = BoxedMontyForm::new(
            BoxedUint::from_be_slice(&k_bytes, N_BITS).expect("32 bytes fit"),
            &params,
        );

        let rows = TABLE_EXP_BITS.div_ceil(TABLE_WINDOW);
        let mut table = Vec::with_capacity(rows as usize);
        let mut base = g.clone(); // g^(2^(w·i)) for the current row i
        for _ in 0..rows {
            let mut row = Vec::with_capacity(1 << TABLE_WINDOW);
            let mut acc = one.clone();
            for _ in 0..(1u32 << TABLE_WINDOW) {
                row.push(acc.as_montgomery().clone());
                acc = acc.mul(&base);
            }
            table.push(row);
            for _ in 0..TABLE_WINDOW {
                base = base.square();
            }
        }
        let mont =
            mont::Modulus::new(limbs(n.as_ref()), limbs(one.as_montgomery())).expect("N is odd");
        Group {
            n,
            params,
            mont,
            one,
            g,
            k,
            table,
        }
    }

    /// `value mod N` for a big-endian unsigned value of any length.
    fn reduce(&self, bytes: &[u8]) -> BoxedUint {
        let bytes = strip_leading_zeros(bytes);
        if bytes.len() <= N_BYTES {
            // Fits 3072 bits, so it is below 2N (N > 2^3071): at most one subtraction.
            let x = BoxedUint::from_be_slice(bytes, N_BITS)
                .unwrap_or_else(|_| BoxedUint::zero_with_precision(N_BITS));
            if x >= *self.n.as_ref() {
                x.wrapping_sub(self.n.as_ref())
            } else {
                x
            }
        } else {
            // Only reachable with oversized SRP_A from a client; public data, so vartime is fine.
            BoxedUint::from_be_slice_vartime(bytes).rem_vartime(&self.n)
        }
    }

    fn monty(&self, bytes: &[u8]) -> BoxedMontyForm {
        BoxedMontyForm::new(self.reduce(bytes), &self.params)
    }

    /// `base^e mod N` for a big-endian exponent of any length. The exponent's byte length (not its
    /// value) shapes the timing, which only tells how long b or a was.
    /// The client side and the long-exponent fallback of [`Self::g_pow`] use crypto-bigint; the
    /// server's S uses `crypto::mont` ([`server_s`]), so the tests check one against the other.
    fn pow(&self, base: &BoxedMontyForm, exponent: &[u8]) -> BoxedMontyForm {
        let e = exponent_uint(exponent);
        base.pow_bounded_exp(&e, e.bits_precision())
    }

    /// A Montgomery-form value computed by `crypto::mont` (same R = 2^3072, same N).
    fn monty_from_limbs(&self, x: mont::Limbs) -> BoxedMontyForm {
        BoxedMontyForm::from_montgomery(BoxedUint::from_words(x), &self.params)
    }

    /// `g^e mod N`: through the fixed-base table when e has at most 256 bits.
    fn g_pow(&self, exponent: &[u8]) -> BoxedMontyForm {
        let e = strip_leading_zeros(exponent);
        if e.len() * 8 > TABLE_EXP_BITS as usize {
            return self.pow(&self.g, e);
        }
        const LEN: usize = (TABLE_EXP_BITS / 8) as usize;
        let mut padded = [0u8; LEN];
        padded[LEN - e.len()..].copy_from_slice(e);
        let bit = |i: u32| -> u32 {
            let byte = padded[LEN - 1 - (i / 8) as usize];
            u32::from((byte >> (i % 8)) & 1)
        };
        let mut acc = self.one.clone();
        for (i, row) in (0u32..).zip(&self.table) {
            let mut digit = 0u32;
            for j in 0..TABLE_WINDOW {
                let pos = i * TABLE_WINDOW + j;
                if pos < TABLE_EXP_BITS {
                    digit |= bit(pos) << j;
                }
            }
            // Constant-time selection: read every entry of the row so the memory access pattern
            // does not depend on the secret digit (b and x are secrets).
            let mut entry = BoxedUint::zero_with_precision(N_BITS);
            for (d, candidate) in (0u32..).zip(row) {
                entry.ct_assign(candidate, Choice::from_u32_eq(d, digit));
            }
            acc = acc.mul(&BoxedMontyForm::from_montgomery(entry, &self.params));
        }
        acc
    }
}

/// An exponent as a BoxedUint whose precision is its byte length rounded up to whole limbs.
/// Leading zero bytes are kept on purpose: the time then depends on the length the secret was
/// generated with (32 bytes for b), not on its value.
fn exponent_uint(exponent: &[u8]) -> BoxedUint {
    let bits = u32::try_from(exponent.len().max(1) * 8).unwrap_or(u32::MAX);
    let bits = bits.div_ceil(Word::BITS) * Word::BITS;
    BoxedUint::from_be_slice(exponent, bits)
        .unwrap_or_else(|_| BoxedUint::zero_with_precision(bits))
}

/// The 48 little-endian limbs of a 3072-bit value (`crypto::mont`'s representation).
fn limbs(x: &BoxedUint) -> mont::Limbs {
    let mut out = [0; mont::LIMBS];
    for (o, w) in out.iter_mut().zip(x.as_words()) {
        *o = *w;
    }
    out
}

fn to_bytes(x: &BoxedMontyForm) -> Vec<u8> {
    strip_leading_zeros(&x.retrieve().to_be_bytes()).to_vec()
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

/// `bytes(padHex(n))` (`padHex` of amazon-cognito-identity-js `AuthenticationHelper.js`): the
/// minimal big-endian two's-complement encoding of a non-negative integer, i.e. Java's
/// `BigInteger.toByteArray()`. Zero is `[0x00]`.
fn pad_hex_bytes(value: &[u8]) -> Vec<u8> {
    let value = strip_leading_zeros(value);
    let mut out = Vec::with_capacity(value.len() + 1);
    if value.first().is_none_or(|&b| b >= 0x80) {
        out.push(0);
    }
    out.extend_from_slice(value);
    out
}

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// `x = H(padHex(salt) ‖ H(poolName ‖ userId ‖ ":" ‖ password))` (`AuthenticationHelper.js`,
/// `getPasswordAuthenticationKey`).
fn compute_x(pool_name: &str, user_id: &str, password: &str, salt: &[u8]) -> [u8; 32] {
    let inner = sha256(&[
        pool_name.as_bytes(),
        user_id.as_bytes(),
        b":",
        password.as_bytes(),
    ]);
    sha256(&[&pad_hex_bytes(salt), &inner])
}

/// `u = H(padHex(A) ‖ padHex(B))`.
fn compute_u(srp_a: &[u8], srp_b: &[u8]) -> [u8; 32] {
    sha256(&[&pad_hex_bytes(srp_a), &pad_hex_bytes(srp_b)])
}

/// Server side `S = (A · v^u)^b mod N`.
///
/// `v^u` is computed in variable time: u = H(A ‖ B) is public (both A and B travel in the clear),
/// so the timing (which depends on u's bits, not on v: each multiplication is constant-time) tells
/// nothing an eavesdropper could not compute. The exponentiation by the secret b stays
/// constant-time.
///
/// Debug builds take crypto-bigint's path instead: this crate is compiled unoptimised there, where
/// `crypto::mont` is ~10× slower than crypto-bigint (optimised as a dependency), and the unit tests
/// check that both paths agree ([`server_s_mont`] is the release path).
fn server_s(srp_a: &[u8], verifier: &[u8], u: &[u8], b: &[u8]) -> Vec<u8> {
    if cfg!(debug_assertions) {
        let grp = &*GROUP;
        let base = grp.monty(srp_a).mul(&grp.pow(&grp.monty(verifier), u));
        to_bytes(&grp.pow(&base, b))
    } else {
        server_s_mont(srp_a, verifier, u, b)
    }
}

fn server_s_mont(srp_a: &[u8], verifier: &[u8], u: &[u8], b: &[u8]) -> Vec<u8> {
    let grp = &*GROUP;
    let m = &grp.mont;
    let a = limbs(grp.monty(srp_a).as_montgomery());
    let v = limbs(grp.monty(verifier).as_montgomery());
    if let (Ok(u), Ok(b)) = (<&[u8; 32]>::try_from(u), <&[u8; 32]>::try_from(b)) {
        // (A·v^u)^b = A^b · v^(u·b), and with u·b = hi·2^256 + lo, v^(u·b) = v^lo · (v^(2^256))^hi:
        // three 256-bit exponents sharing one chain of squarings, about half the squarings of
        // v^u followed by (·)^b. v^(2^256) depends on the user only, so it is cached.
        let (hi, lo) = mul_256(u, b);
        let v_high = v_pow_2_256(verifier, &v);
        return to_bytes(&grp.monty_from_limbs(m.pow3([&a, &v, &v_high], [b, &lo, &hi])));
    }
    let base = m.mul(&a, &m.pow_vartime(&v, u));
    to_bytes(&grp.monty_from_limbs(m.pow(&base, b)))
}

/// How many users' v^(2^256) stay cached (384 bytes each); the cache is emptied when full, so a
/// pool with more users than this only pays the 256 squarings again.
const V_POWERS_CAP: usize = 8192;

/// v^(2^256) in Montgomery form, keyed by a hash of the stored verifier: a changed password has
/// another verifier and so another entry. The value is derived from v alone, which is no more
/// secret than v.
static V_POWERS: LazyLock<std::sync::Mutex<HashMap<[u8; 32], mont::Limbs>>> =
    LazyLock::new(Default::default);

fn v_pow_2_256(verifier: &[u8], v: &mont::Limbs) -> mont::Limbs {
    let key = sha256(&[strip_leading_zeros(verifier)]);
    // A poisoned lock only means another thread panicked mid-insert; the map is still usable.
    let cached = V_POWERS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&key)
        .copied();
    if let Some(x) = cached {
        return x;
    }
    let m = &GROUP.mont;
    let mut x = *v;
    for _ in 0..256 {
        x = m.sqr(&x);
    }
    let mut map = V_POWERS.lock().unwrap_or_else(|e| e.into_inner());
    if map.len() >= V_POWERS_CAP {
        map.clear();
    }
    map.insert(key, x);
    x
}

/// The 512-bit product of two 256-bit big-endian numbers as (high, low) 256-bit halves, in
/// constant time (fixed loops, no branches on the values: b is secret).
fn mul_256(x: &[u8; 32], y: &[u8; 32]) -> ([u8; 32], [u8; 32]) {
    let words = |v: &[u8; 32]| -> [u64; 4] {
        let mut w = [0u64; 4];
        for (i, chunk) in v.rchunks_exact(8).enumerate() {
            let mut b8 = [0u8; 8];
            b8.copy_from_slice(chunk);
            w[i] = u64::from_be_bytes(b8);
        }
        w
    };
    let (xw, yw) = (words(x), words(y));
    let mut p = [0u64; 8];
    for i in 0..4 {
        let mut carry = 0u128;
        for j in 0..4 {
            let t = u128::from(xw[i]) * u128::from(yw[j]) + u128::from(p[i + j]) + carry;
            p[i + j] = t as u64;
            carry = t >> 64;
        }
        p[i + 4] = carry as u64;
    }
    let bytes = |w: &[u64]| -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, word) in w.iter().enumerate() {
            out[24 - 8 * i..32 - 8 * i].copy_from_slice(&word.to_be_bytes());
        }
        out
    };
    (bytes(&p[4..]), bytes(&p[..4]))
}

/// The "Caldera" HKDF (`AuthenticationHelper.js`, `computehkdf`): 16 bytes from salt = padHex(u),
/// ikm = padHex(S).
fn derive_key(u: &[u8], s: &[u8]) -> [u8; 16] {
    let hk = Hkdf::<Sha256>::new(Some(&pad_hex_bytes(u)), &pad_hex_bytes(s));
    let mut okm = [0u8; 16];
    // 16 bytes is far below HKDF-SHA256's 255·32 limit, so expand cannot fail.
    let _ = hk.expand(HKDF_INFO, &mut okm);
    okm
}

/// HMAC-SHA256(K, poolName ‖ userId ‖ secretBlock ‖ timestamp), the PASSWORD_CLAIM_SIGNATURE of
/// amazon-cognito-identity-js `CognitoUser.js`.
fn claim_mac(
    key: &[u8],
    pool_name: &str,
    user_id: &str,
    secret_block: &[u8],
    ts: &str,
) -> [u8; 32] {
    // HMAC accepts keys of any length, so new_from_slice cannot fail.
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return [0; 32],
    };
    mac.update(pool_name.as_bytes());
    mac.update(user_id.as_bytes());
    mac.update(secret_block);
    mac.update(ts.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Standard alphabet, padding optional: clients all pad, but nothing is gained by refusing a
/// missing `=`. Trailing bits must still be zero, so each value has a single accepted spelling
/// per padding choice (a flipped bit in the last character is refused).
const B64_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

// ----------------------------------------------------------------------------------------------
// Public API

/// Builds the group constants and the fixed-base table now (tens of ms, about 1 MiB) instead of
/// on the first password; call it off the async runtime's worker threads if possible.
pub fn precompute() {
    LazyLock::force(&GROUP);
}

/// [`precompute`] on a thread of its own, once per process. The server calls it when it first
/// holds a user pool (created, seeded or already in the database), not at start-up: an idle
/// emulator without pools never needs the table, and does not keep its megabyte resident
/// (bench/README.md, "Idle memory and start-up"). Every password operation needs a pool first,
/// so the table is usually built by the time the first password arrives; if not, that caller
/// builds it.
pub fn precompute_in_background() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        // If no thread can be started, the first password builds the table instead.
        let _ = std::thread::Builder::new()
            .name("srp-table".into())
            .spawn(precompute);
    });
}

/// A verifier for a new password with a fresh random 16-byte salt.
pub fn new_password_verifier(pool_name: &str, user_id: &str, password: &str) -> PasswordVerifier {
    let mut salt = vec![0u8; SALT_LEN];
    rand::thread_rng().fill_bytes(&mut salt);
    let verifier = compute_verifier(pool_name, user_id, password, &salt);
    PasswordVerifier { salt, verifier }
}

/// `v = g^x mod N` as big-endian bytes without leading zeros.
pub fn compute_verifier(pool_name: &str, user_id: &str, password: &str, salt: &[u8]) -> Vec<u8> {
    let x = compute_x(pool_name, user_id, password, salt);
    to_bytes(&GROUP.g_pow(&x))
}

/// USER_PASSWORD_AUTH and friends: does `password` produce the stored verifier?
pub fn check_password(
    pool_name: &str,
    user_id: &str,
    password: &str,
    pv: &PasswordVerifier,
) -> bool {
    let computed = compute_verifier(pool_name, user_id, password, &pv.salt);
    // Compare fixed-width encodings so neither the length nor the first differing byte leaks.
    match (fixed_width(&computed), fixed_width(&pv.verifier)) {
        (Some(a), Some(b)) => bool::from(a.ct_eq(&b)),
        _ => false,
    }
}

fn fixed_width(value: &[u8]) -> Option<[u8; N_BYTES]> {
    let value = strip_leading_zeros(value);
    let mut out = [0u8; N_BYTES];
    let start = N_BYTES.checked_sub(value.len())?;
    out[start..].copy_from_slice(value);
    Some(out)
}

/// The SALT challenge parameter: lowercase hex of the salt's integer value without redundant
/// leading `00` bytes. pycognito (`aws_srp.py`, `pad_hex`) hashes the string it receives after its
/// own padding while the JS SDK re-encodes the parsed integer; they agree only on this canonical
/// form.
pub fn salt_param(salt: &[u8]) -> String {
    let s = strip_leading_zeros(salt);
    if s.is_empty() {
        "00".to_string()
    } else {
        hex::encode(s)
    }
}

/// Parses the client's SRP_A: hex of any case and length, no `0x`. Refuses empty or non-hex input
/// and `A mod N == 0` (which would let anyone compute S = 0); returns `A mod N`, big-endian
/// without leading zeros.
pub fn parse_srp_a(hex_a: &str) -> Result<Vec<u8>, SrpError> {
    let bytes = parse_hex_any(hex_a)?;
    let a = GROUP.reduce(&bytes);
    if bool::from(a.is_zero()) {
        return Err(SrpError::ZeroPublicValue);
    }
    Ok(strip_leading_zeros(&a.to_be_bytes()).to_vec())
}

/// Hex of any case and any length (odd lengths allowed, as from `BigInteger.toString(16)`).
fn parse_hex_any(s: &str) -> Result<Vec<u8>, SrpError> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err(SrpError::InvalidHex);
    }
    let decoded = if s.len() % 2 == 1 {
        hex::decode(format!("0{s}"))
    } else {
        hex::decode(s)
    };
    decoded.map_err(|_| SrpError::InvalidHex)
}

/// A fresh server ephemeral (random 256-bit b) for the stored verifier.
pub fn server_ephemeral(verifier: &[u8]) -> ServerEphemeral {
    let mut rng = rand::thread_rng();
    loop {
        let mut b = vec![0u8; B_LEN];
        rng.fill_bytes(&mut b);
        let eph = server_ephemeral_with_b(verifier, &b);
        // Clients abort on B mod N == 0. With a random b that never happens in practice, but a
        // retry is cheaper than reasoning about it.
        if !eph.srp_b.is_empty() {
            return eph;
        }
    }
}

/// `B = (k·v + g^b) mod N` for a given b (known-answer tests; production uses
/// [`server_ephemeral`]). The verifier is taken mod N.
pub fn server_ephemeral_with_b(verifier: &[u8], b: &[u8]) -> ServerEphemeral {
    let grp = &*GROUP;
    let v = grp.monty(verifier);
    let srp_b = &grp.k.mul(&v) + &grp.g_pow(b);
    ServerEphemeral {
        b: b.to_vec(),
        srp_b: to_bytes(&srp_b),
    }
}

/// The SRP_B challenge parameter: lowercase hex without leading zeros (Python's `format(B, 'x')`).
pub fn srp_b_param(srp_b: &[u8]) -> String {
    let h = hex::encode(strip_leading_zeros(srp_b));
    match h.strip_prefix('0') {
        Some(rest) => rest.to_string(),
        None if h.is_empty() => "0".to_string(),
        None => h,
    }
}

/// Checks a PASSWORD_CLAIM_SIGNATURE (user or device SRP). Also refuses a TIMESTAMP that is not in
/// the exact client format (real Cognito does, even when the signature matches); its freshness is
/// the caller's job. Cheap checks run before the two modular exponentiations.
pub fn verify_claim(c: &ClaimCheck) -> Result<(), SrpError> {
    parse_timestamp(c.timestamp)?;
    let signature = B64_LENIENT
        .decode(c.signature_b64)
        .map_err(|_| SrpError::InvalidBase64)?;
    let grp = &*GROUP;
    let a = grp.reduce(c.srp_a);
    if bool::from(a.is_zero()) {
        return Err(SrpError::ZeroPublicValue);
    }
    let a = strip_leading_zeros(&a.to_be_bytes()).to_vec();
    // Stored values, checked anyway because a zero here would make S predictable for anyone:
    // v = 0 gives S = 0 and b = 0 gives S = 1.
    if bool::from(grp.reduce(c.verifier).is_zero()) {
        return Err(SrpError::InvalidVerifier);
    }
    if c.eph.b.iter().all(|&x| x == 0) {
        return Err(SrpError::InvalidEphemeral);
    }
    let u = compute_u(&a, strip_leading_zeros(&c.eph.srp_b));
    if u.iter().all(|&x| x == 0) {
        return Err(SrpError::ZeroScrambler);
    }
    let s = server_s(&a, c.verifier, &u, &c.eph.b);
    let key = derive_key(&u, &s);
    let expected = claim_mac(&key, c.pool_name, c.user_id, c.secret_block, c.timestamp);
    // subtle's slice comparison is false for different lengths without looking at the contents.
    if bool::from(expected.as_slice().ct_eq(signature.as_slice())) {
        Ok(())
    } else {
        Err(SrpError::SignatureMismatch)
    }
}

/// ConfirmDevice's `DeviceSecretVerifierConfig{PasswordVerifier, Salt}`: base64 of *signed*
/// big-endian bytes (Android's `BigInteger.toByteArray()` adds a leading 0x00), decoded here as
/// unsigned. Refuses a verifier that is 0 or not below N (v = 0 would make S = 0 for anyone) and
/// an empty, zero or oversized salt.
pub fn device_verifier_from_config(
    verifier_b64: &str,
    salt_b64: &str,
) -> Result<PasswordVerifier, SrpError> {
    let verifier = B64_LENIENT
        .decode(verifier_b64)
        .map_err(|_| SrpError::InvalidBase64)?;
    let salt = B64_LENIENT
        .decode(salt_b64)
        .map_err(|_| SrpError::InvalidBase64)?;
    let verifier = strip_leading_zeros(&verifier).to_vec();
    if verifier.is_empty() || verifier.len() > N_BYTES {
        return Err(SrpError::InvalidVerifier);
    }
    let v = BoxedUint::from_be_slice(&verifier, N_BITS).map_err(|_| SrpError::InvalidVerifier)?;
    if v >= *GROUP.n.as_ref() {
        return Err(SrpError::InvalidVerifier);
    }
    let salt = strip_leading_zeros(&salt).to_vec();
    if salt.is_empty() || salt.len() > MAX_DEVICE_SALT {
        return Err(SrpError::InvalidSalt);
    }
    Ok(PasswordVerifier { salt, verifier })
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Strict parser for the SRP TIMESTAMP `EEE MMM d HH:mm:ss 'UTC' yyyy`, e.g.
/// `Thu Nov 5 09:03:07 UTC 2026`: English names, single spaces, day of month NOT zero-padded
/// (real Cognito refuses `Nov 05`), time fields zero-padded, four-digit year, and the weekday must
/// be the date's.
pub fn parse_timestamp(ts: &str) -> Result<DateTime<Utc>, SrpError> {
    const BAD: SrpError = SrpError::InvalidTimestamp;
    let fields: Vec<&str> = ts.split(' ').collect();
    let [weekday, month, day, time, zone, year] = fields.as_slice() else {
        return Err(BAD);
    };
    let weekday = WEEKDAYS.iter().position(|w| w == weekday).ok_or(BAD)?;
    let month = MONTHS.iter().position(|m| m == month).ok_or(BAD)?;
    let day = match day.as_bytes() {
        [d @ b'1'..=b'9'] => u32::from(d - b'0'),
        [d1 @ b'1'..=b'9', d2 @ b'0'..=b'9'] => u32::from(d1 - b'0') * 10 + u32::from(d2 - b'0'),
        _ => return Err(BAD),
    };
    let t = time.as_bytes();
    if t.len() != 8 || t[2] != b':' || t[5] != b':' {
        return Err(BAD);
    }
    let two = |i: usize| -> Result<u32, SrpError> {
        match (t[i], t[i + 1]) {
            (h @ b'0'..=b'9', l @ b'0'..=b'9') => {
                Ok(u32::from(h - b'0') * 10 + u32::from(l - b'0'))
            }
            _ => Err(BAD),
        }
    };
    let (hour, minute, second) = (two(0)?, two(3)?, two(6)?);
    if *zone != "UTC" || year.len() != 4 || !year.bytes().all(|c| c.is_ascii_digit()) {
        return Err(BAD);
    }
    let year: i32 = year.parse().map_err(|_| BAD)?;
    let month = u32::try_from(month + 1).map_err(|_| BAD)?;
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or(BAD)?;
    // and_hms_opt refuses hour > 23, minute > 59 and second > 59.
    let dt = date.and_hms_opt(hour, minute, second).ok_or(BAD)?;
    if date.weekday().num_days_from_monday() as usize != weekday {
        return Err(BAD);
    }
    Ok(dt.and_utc())
}

/// Formats a TIMESTAMP the way every client does (see [`parse_timestamp`]).
fn format_timestamp(dt: DateTime<Utc>) -> String {
    let weekday = WEEKDAYS[dt.weekday().num_days_from_monday() as usize];
    let month = MONTHS[dt.month0() as usize];
    format!(
        "{weekday} {month} {} {:02}:{:02}:{:02} UTC {}",
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.year()
    )
}

/// What a client computes: for our own tests, the end-to-end benchmark and test harnesses.
pub mod client {
    use super::*;

    /// `A = g^a mod N`, big-endian without leading zeros.
    pub fn srp_a(a: &[u8]) -> Vec<u8> {
        to_bytes(&GROUP.g_pow(a))
    }

    /// PASSWORD_CLAIM_SIGNATURE as the JS SDK / pycognito compute it, from the SALT and SRP_B
    /// challenge parameters. Returns an empty string (which never verifies) when a hex parameter
    /// does not parse or the server's B or u is 0 mod N, where a real client would abort.
    #[allow(clippy::too_many_arguments)] // mirrors the protocol's inputs one for one
    pub fn signature(
        pool_name: &str,
        user_id: &str,
        password: &str,
        salt_param_hex: &str,
        srp_b_hex: &str,
        a: &[u8],
        secret_block: &[u8],
        timestamp: &str,
    ) -> String {
        let (Ok(salt), Ok(srp_b)) = (parse_hex_any(salt_param_hex), parse_hex_any(srp_b_hex))
        else {
            return String::new();
        };
        let grp = &*GROUP;
        let b_value = grp.reduce(&srp_b);
        if bool::from(b_value.is_zero()) {
            return String::new();
        }
        let srp_b = strip_leading_zeros(&b_value.to_be_bytes()).to_vec();
        let srp_a = srp_a(a);
        let u = compute_u(&srp_a, &srp_b);
        if u.iter().all(|&x| x == 0) {
            return String::new();
        }
        let x = compute_x(pool_name, user_id, password, &salt);
        // S = (B - k·g^x)^(a + u·x) mod N; the subtraction is mod N, so a "negative" base is
        // fine.
        let base = &BoxedMontyForm::new(b_value, &grp.params) - &grp.k.mul(&grp.g_pow(&x));
        let s = to_bytes(&grp.pow(&base, &add_mul(a, &u, &x)));
        let key = derive_key(&u, &s);
        STANDARD.encode(claim_mac(&key, pool_name, user_id, secret_block, timestamp))
    }

    /// `a + u·x` as big-endian bytes, exact (no reduction: clients do not reduce either).
    fn add_mul(a: &[u8], u: &[u8; 32], x: &[u8; 32]) -> Vec<u8> {
        let a = strip_leading_zeros(a);
        let bits = u32::try_from(a.len().max(64) * 8 + 64).unwrap_or(u32::MAX);
        let bits = bits.div_ceil(Word::BITS) * Word::BITS;
        let widen = |v: &[u8]| {
            BoxedUint::from_be_slice(v, bits)
                .unwrap_or_else(|_| BoxedUint::zero_with_precision(bits))
        };
        let ux = widen(u).wrapping_mul(widen(x));
        widen(a).wrapping_add(&ux).to_be_bytes().to_vec()
    }

    /// ConfirmDevice's `(PasswordVerifier, Salt)` in base64, as the JS SDK's
    /// `generateHashDevice` builds them from the device password and the random salt bytes.
    pub fn device_verifier(
        device_group_key: &str,
        device_key: &str,
        random_password: &str,
        salt: &[u8],
    ) -> (String, String) {
        let v = compute_verifier(device_group_key, device_key, random_password, salt);
        (
            STANDARD.encode(pad_hex_bytes(&v)),
            STANDARD.encode(pad_hex_bytes(salt)),
        )
    }

    /// The current time as a client formats TIMESTAMP.
    pub fn timestamp_now() -> String {
        format_timestamp(Utc::now())
    }

    /// A given time as a client formats TIMESTAMP.
    pub fn timestamp_at(dt: DateTime<Utc>) -> String {
        format_timestamp(dt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Known-answer vectors, cross-checked against pycognito's `AWSSRP` and
    // amazon-cognito-identity-js `AuthenticationHelper` + `CognitoUser` (all three agree).
    const POOL: &str = "AbCdEfGhI";
    const USER: &str = "alice";
    const PASSWORD: &str = "Passw0rd!";
    const SALT: &str = "c3a5f2d8e4b19a0f7c6e5d4b3a291807";
    const K: &str = "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6";
    const X: &str = "d21918189242cabfe96a4ecb50f9c52fcd5540f2b5a04e858d922f2a41fdd79b";
    const B_SECRET: &str = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988";
    const SECRET_BLOCK_B64: &str = "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8=";
    const TIMESTAMP: &str = "Thu Nov 5 09:03:07 UTC 2026";
    const U: &str = "3dd5ab1451e82958864e891de4a137bab6d982a4b9c39361f5c17d871cd977ec";
    const KEY: &str = "6ecbc1fd2a6186d3fc73398ce1277c0f";
    const SIGNATURE: &str = "gQKZ4r46gvojvn/pMDWPJjuCDw5I/TixwyDO3t6mYYE=";
    const V: &str = concat!(
        "e4aac87baa88172d1d2b28b27d86cc0db3e6e9adcfe24bf4d41a5f83d9ed721152fa63bc2c723b186481fe5a6968e85e",
        "5060746777a3fe1ed263f0f22a03a81ebcd15c0b5049604d53c91a4ef32f619aed8aaa47ce623b78fd7eac66340c81e5",
        "f5aaf2bbaa6036c197d21586b37b4dec0cf3b14b37bc1fac8f04857746f47a9bee33580397ef3455c9e1df2e211349c1",
        "ee60944278c98a7f2b36bfecdeb0910ed292896b9f2b5578e9e90a35035077694fd79d4e6f5551b6ae6e9f1c75261cca",
        "b227502778bf2e2bc746db5b74361253fd638231543704b167fd97b880a58fc8bb76f99c08e033906107af92b2e1c59d",
        "e4f2f67737e872b96c60d8e4b1c49613b3b10a723192b5c579536f82c8f273c02dfcbc61b96df3f1d573dbe86a52a0f5",
        "b7f206d95b63ecfeacb6565121783655b684017bc3633b644ac72d6479d888433332af84cfd31c52fa3896571b8783e4",
        "e5cbc020f4ba9ef31c6e18a277412d26e2627f7e68743d187ed3ab5a23a9b034d9deb4cd86b826e5d8936db3ecfb6978",
    );
    const A_PUB: &str = concat!(
        "262a16bc903586e32a971797a0957a1a9dad72fc8dda2eb17e0ed260f0a983cba300589ec9ca03598854fa8d1c94a375",
        "34b52306050a1d381ad1ed5100b3760cc7659e01fe3972c71eef207977742c87872f7c324849f8405e5c7f408b836643",
        "c051659fb6ab7db44ec5192eb90207df4a7dcdfdc8b4c614d39d5812105aeeca7949301b17339c32419370812351292d",
        "49184dd793a88151450ffe5d82684ffa4336fb66c0a26897ed260b89c9d7552de4814d398950d31a9bee7171d9823b3d",
        "594b531039f30cbac3eb3f88de80edb0d6ba77fbf84a93c209638696357f51d016cbbe2cb99efc36710bf1638f5b8ecb",
        "dfa631be78924658a3f2f0f50bcebf3eea74fcf9ba5760641378b357ab30c905b293643262703e6041b3922cefe6f987",
        "0d89f18ed8427103405042ea5c6b6176f1448df300e08ae7d5ea3cbf49904446ca629bde86b7ddc2ee5b02016810ed0a",
        "632385eb724ca7f7a27c7b1ae1f8cd273f8f0769e4c35c04d8ef4efa4947766d1cb39b25bf4bb6f398955ad6682a5c9",
    );
    const B_PUB: &str = concat!(
        "776a7f1b0a7f0daeb338f5fb09cfe8244ad1516fc5c48bbcaeed63bfa47ba564fb212d2deb9b8ecf6b06c55fa2e7618d",
        "cd50aeeac70a18134691bf9dc21a649dd76bafa40da77bced1dd9dd2e7433066ff77d5d5d44f13d73e16d336aed03e51",
        "8eea0cce5372bf1759ed62db6e90d35ce41fe22de619aec85d87a4a42d1427debaca18b67ac7a00f1a9cf3fee0467e51",
        "32247bafe93a864ea0c695818c53c5d26405a237d200441df1613af4084d5e0184348e7a8f6c6c66f92d6351d216054f",
        "f13e951bccfe24bfef1eb349a8390e8293921f2d669fce19cd58f6e29cc0049ec558cb1242c67372525c2337c50cb376",
        "ba776e82a64e0d8ccd962dae40750ebd80b2d9bff9b8739dcd456c3e4ff6fbf71647cfd7ae5f8a291cdf44e0aa5fcc2c",
        "a360746ce1c0d440a77671bcd239d09f8bce46ef3710462b4af269d5eb054bd715fc951326bf218f68a025736d33f853",
        "449d59986e61b607d9a71b23e428f7b56eb61285ec6a58d8665ed0ced5878c23d0461d89876bccb3ea30480fe69c8f66",
    );
    const S: &str = concat!(
        "e5e4eb7a32b135982eb2bc2cccf66daaa02752e735586ea133585162ac2c461f4d640928a2e5167cb6469e0df5d5a8ce",
        "af3c367cad496d520498c88457d0b47768dcbd920a1b7423f1436144698aeedd3d84754d95f5b3e874c39dcb3a1fc76b",
        "43b28a622970f8bf91ddf32f3988d6fd411b3d03534639778aafa3cfd5f47bfaa53382cf0c6c26fac3ff20c37854fa80",
        "f7c0d43381a155f2864f913bc9ada9cebd4d2f9d77ce44fe33c7b4d2a9fc9b42b036fffaf6af2c6fb1ecafe0df543b6e",
        "05f44ab6e34fdc6c01371d87d2b32a62f83ebb079df9b8841c9f46065f8ab4efc2b2819cf0f233817d489129c692e301",
        "3001fdd0a7f7fdcc8db2d21ea1d2b88a612747e62acddea7b8bd6d4c909f0398df77bcf93f327edee7d0f0afbe23d0e7",
        "2d165779dfd003822da503cf1366fa52edd5e639b5b0c9feef98665f9c043050de5344b49391c9a86dd13917f9884a94",
        "21fd5edc7c20f42c94cbce5d0a8a1af4a18a9352bc75ee229984ff4a9c07570c0e36a2794f3ef7e81f6f6df1a3235cb2",
    );

    const DEVICE_GROUP: &str = "-AbCdEfGh";
    const DEVICE_KEY: &str = "us-east-1_4f2c7f5e-9b6a-4a3e-8f1d-2c3b4a5d6e7f";
    const DEVICE_PASSWORD: &str = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKA==";
    const DEVICE_SALT_B64: &str = "Dx4tPEtaaXiHlqW0w9Lh8A==";
    const DEVICE_SALT_PARAM: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    const DEVICE_VERIFIER_B64: &str = concat!(
        "UjFVm8qvDV8iztrBZlw/JZV2IG8OI8CnkNQ5FniL/+Q4aaN6xtEIh7Wq0WZgK6YKl61TKAaF4aXPDiMCUHuzzxSA2zgOcd6G",
        "nwIa/bc50/EerQDgs+xL+w7Hhy1KCQ4tEDSy9apXd4A/QPn7gXq8NsQbxwnzotWzW9BBCZst46a4XOUaroF/ISiToHjJ0Lcy",
        "5n+TCzde3yRKwPt8+caN7WFin+rupMFW9uAa8gTqJjtNdMTVX5yUjqGPh8GnaO9/hwYoeZMcdGQGpV/ijYRNmLNBFa2oKcSG",
        "2Lwftr4NPJHMMs2DtFjMFg39I+q/wAB71tw84veDGLKSghmQoRnYlhUWumyfcT+7J8KZhbLOfM4r5Y8+kxUnfGZweh48MpNH",
        "ITXc2sKbrAg4Na7Hecu33xOSu3ME/OTZ9ZL1eZj1Vmc7jS9CmDpy2VhhB9tfLvqEX7NW6G5CN22BjMZbAEpndMiw0NwiYqlh",
        "6JSA/jru0jwsT/FO4y7aV3uS9HVIMJho",
    );
    const DEVICE_B_PUB: &str = concat!(
        "51c4d28534b7ddbc0d58f0e73c7f839ab2e501e3cbc30b9e70d052375542e4b8f32611fa0d1ed2146239860b804615c0",
        "ccdd9c244ae611d1350dc8cc82fd4aea9e0444bb16005e2d02bc3472088fba4d5c01e6c937b92ea55a3a3ca65e4c0a2b",
        "fbbbc7c9b00d2be77f13e1074464d03a3e1ed14ab70944ba711a5a42cfad4fcaeb00ac11b5208ee7e6d085e8ebed1205",
        "45c2366ce58819b7eed70189ee161d5dec763576cc9c7a00d608b8faecf6e6842090418af9d7da06f4787ecd88f8e545",
        "2bc512cda9e317b108fff9af226da963d260b619582fde428018b93308874eeac246a10450e1929bfb9cbf95f63c61fd",
        "74ec6967391d379acaa9b6aa1fc07488735adf0669df3e484e4c07a83fd8185e10381ca1a90fdb821060aa7da63452a4",
        "f2cfeae7e1376c5fcbd1c3b76200b4e8b402d2a430429627c4efbf2d26c813f241a7615a334431c173a91bf357fd9945",
        "2125b746bc713d6b1dc2bf81041920675b107bdf1f64cdd9504754d6b658bbb20ee819111c596ab5b549964910f00721",
    );
    const DEVICE_U: &str = "276bf2f378756c034aeec89104172fa1a06168d3a2844102523abfc726eb9986";
    const DEVICE_KEY_K: &str = "514524718975fd0e2101bf54f7e5c4d4";
    const DEVICE_SIGNATURE: &str = "DcM15iHFp3RAkIMIgzdR3JFGQcWSiNvs42hDtbQpk2E=";

    /// Vectors are `format(n, 'x')`, so some have an odd number of digits.
    fn unhex(s: &str) -> Vec<u8> {
        parse_hex_any(s).expect("test vector is hex")
    }

    /// The inverse: unpadded lowercase hex.
    fn fmt_x(bytes: &[u8]) -> String {
        srp_b_param(bytes)
    }

    fn a_secret() -> Vec<u8> {
        unhex(&"6b1d".repeat(64))
    }

    fn secret_block() -> Vec<u8> {
        STANDARD.decode(SECRET_BLOCK_B64).expect("vector is base64")
    }

    fn user_verifier() -> PasswordVerifier {
        PasswordVerifier {
            salt: unhex(SALT),
            verifier: unhex(V),
        }
    }

    fn user_eph() -> ServerEphemeral {
        server_ephemeral_with_b(&unhex(V), &unhex(B_SECRET))
    }

    fn check<'a>(
        verifier: &'a [u8],
        srp_a: &'a [u8],
        eph: &'a ServerEphemeral,
        secret_block: &'a [u8],
        timestamp: &'a str,
        signature_b64: &'a str,
    ) -> ClaimCheck<'a> {
        ClaimCheck {
            pool_name: POOL,
            user_id: USER,
            verifier,
            srp_a,
            eph,
            secret_block,
            timestamp,
            signature_b64,
        }
    }

    #[test]
    fn k_matches_the_vector() {
        let mut h = Sha256::new();
        h.update(pad_hex_bytes(&unhex(N_HEX)));
        h.update(pad_hex_bytes(&[2]));
        assert_eq!(hex::encode(h.finalize()), K);
        // and the Montgomery constant the server uses is that same value
        assert_eq!(hex::encode(to_bytes(&GROUP.k)), K);
    }

    #[test]
    fn x_and_v_match_the_vector() {
        assert_eq!(
            hex::encode(compute_x(POOL, USER, PASSWORD, &unhex(SALT))),
            X
        );
        assert_eq!(
            fmt_x(&compute_verifier(POOL, USER, PASSWORD, &unhex(SALT))),
            V
        );
        // the fixed-base table and a plain exponentiation agree
        assert_eq!(fmt_x(&to_bytes(&GROUP.pow(&GROUP.g, &unhex(X)))), V);
    }

    #[test]
    fn salt_param_is_canonical() {
        assert_eq!(salt_param(&unhex(SALT)), SALT);
        assert_eq!(salt_param(&unhex(&format!("0000{SALT}"))), SALT);
        assert_eq!(salt_param(&[0, 0x7f, 1]), "7f01");
        assert_eq!(salt_param(&[0x0f, 1]), "0f01");
        assert_eq!(salt_param(&[]), "00");
        assert_eq!(salt_param(&[0, 0]), "00");
    }

    #[test]
    fn client_a_matches_the_vector() {
        assert_eq!(fmt_x(&client::srp_a(&a_secret())), A_PUB);
        assert_eq!(parse_srp_a(A_PUB), Ok(unhex(A_PUB)));
    }

    #[test]
    fn server_b_matches_the_vector() {
        let eph = user_eph();
        assert_eq!(srp_b_param(&eph.srp_b), B_PUB);
        assert_eq!(eph.b, unhex(B_SECRET));
    }

    #[test]
    fn server_s_release_path_matches_the_vector_and_crypto_bigint() {
        let (a, v) = (unhex(A_PUB), unhex(V));
        let u = compute_u(&a, &unhex(B_PUB));
        assert_eq!(fmt_x(&server_s_mont(&a, &v, &u, &unhex(B_SECRET))), S);
        let grp = &*GROUP;
        let mut rng = rand::thread_rng();
        for b_len in [1, 31, 32, 33] {
            let (mut b, mut x, mut u) = (vec![0u8; b_len], [0u8; 32], [0u8; 32]);
            rand::RngCore::fill_bytes(&mut rng, &mut b);
            rand::RngCore::fill_bytes(&mut rng, &mut x);
            rand::RngCore::fill_bytes(&mut rng, &mut u);
            let v = to_bytes(&grp.g_pow(&x));
            let a = client::srp_a(&x);
            let base = grp.monty(&a).mul(&grp.pow(&grp.monty(&v), &u));
            let expected = to_bytes(&grp.pow(&base, &b));
            assert_eq!(server_s_mont(&a, &v, &u, &b), expected);
        }
    }

    #[test]
    fn mul_256_is_the_full_product() {
        let mut rng = rand::thread_rng();
        let cases = [([0xffu8; 32], [0xffu8; 32]), ([0u8; 32], [0x12u8; 32])];
        for (x, y) in cases.into_iter().chain((0..20).map(|_| {
            let (mut x, mut y) = ([0u8; 32], [0u8; 32]);
            rand::RngCore::fill_bytes(&mut rng, &mut x);
            rand::RngCore::fill_bytes(&mut rng, &mut y);
            (x, y)
        })) {
            let (hi, lo) = mul_256(&x, &y);
            let expected = wide(&x).wrapping_mul(wide(&y));
            let mut got = hi.to_vec();
            got.extend_from_slice(&lo);
            assert_eq!(to_bytes_plain(&wide(&got)), to_bytes_plain(&expected));
        }
    }

    #[test]
    fn server_s_with_cached_v_powers_matches_crypto_bigint() {
        // Same user (cache filled, then hit) and a second user, each with several A, b, u.
        let grp = &*GROUP;
        let mut rng = rand::thread_rng();
        for user in 0..2 {
            let mut x = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rng, &mut x);
            x[0] = user;
            let v = to_bytes(&grp.g_pow(&x));
            for _ in 0..3 {
                let (mut b, mut a_secret, mut u) = ([0u8; 32], [0u8; 32], [0u8; 32]);
                rand::RngCore::fill_bytes(&mut rng, &mut b);
                rand::RngCore::fill_bytes(&mut rng, &mut a_secret);
                rand::RngCore::fill_bytes(&mut rng, &mut u);
                let a = client::srp_a(&a_secret);
                let base = grp.monty(&a).mul(&grp.pow(&grp.monty(&v), &u));
                let expected = to_bytes(&grp.pow(&base, &b));
                assert_eq!(server_s_mont(&a, &v, &u, &b), expected);
            }
        }
    }

    #[test]
    fn u_s_key_and_signature_match_the_vector() {
        let a = unhex(A_PUB);
        let b = unhex(B_PUB);
        let u = compute_u(&a, &b);
        assert_eq!(hex::encode(u), U);
        let s = server_s(&a, &unhex(V), &u, &unhex(B_SECRET));
        assert_eq!(fmt_x(&s), S);
        let key = derive_key(&u, &s);
        assert_eq!(hex::encode(key), KEY);
        let mac = claim_mac(&key, POOL, USER, &secret_block(), TIMESTAMP);
        assert_eq!(STANDARD.encode(mac), SIGNATURE);
        let sig = client::signature(
            POOL,
            USER,
            PASSWORD,
            SALT,
            B_PUB,
            &a_secret(),
            &secret_block(),
            TIMESTAMP,
        );
        assert_eq!(sig, SIGNATURE);
    }

    #[test]
    fn verify_claim_accepts_the_vector() {
        let eph = user_eph();
        let (v, a, sb) = (unhex(V), unhex(A_PUB), secret_block());
        assert_eq!(
            verify_claim(&check(&v, &a, &eph, &sb, TIMESTAMP, SIGNATURE)),
            Ok(())
        );
        // unpadded base64 is the same signature
        let unpadded = SIGNATURE.trim_end_matches('=');
        assert_eq!(
            verify_claim(&check(&v, &a, &eph, &sb, TIMESTAMP, unpadded)),
            Ok(())
        );
    }

    #[test]
    fn verify_claim_refuses_one_bit_changes() {
        let eph = user_eph();
        let (v, a, sb) = (unhex(V), unhex(A_PUB), secret_block());
        let sig = STANDARD.decode(SIGNATURE).expect("base64");
        for bit in 0..sig.len() * 8 {
            let mut bad = sig.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            let bad = STANDARD.encode(bad);
            assert_eq!(
                verify_claim(&check(&v, &a, &eph, &sb, TIMESTAMP, &bad)),
                Err(SrpError::SignatureMismatch)
            );
        }
        // a flipped bit in the base64 text itself (incl. the last character's unused bits)
        for i in 0..SIGNATURE.len() {
            for bit in 0..7 {
                let mut text = SIGNATURE.as_bytes().to_vec();
                text[i] ^= 1 << bit;
                let Ok(text) = String::from_utf8(text) else {
                    continue;
                };
                assert!(
                    verify_claim(&check(&v, &a, &eph, &sb, TIMESTAMP, &text)).is_err(),
                    "{text}"
                );
            }
        }
        let mut bad_a = a.clone();
        bad_a[100] ^= 0x10;
        assert!(verify_claim(&check(&v, &bad_a, &eph, &sb, TIMESTAMP, SIGNATURE)).is_err());
        let mut bad_sb = sb.clone();
        bad_sb[0] ^= 1;
        assert!(verify_claim(&check(&v, &a, &eph, &bad_sb, TIMESTAMP, SIGNATURE)).is_err());
        // 0x37 '7' -> 0x36 '6': still a well-formed timestamp, one second earlier
        let bad_ts = "Thu Nov 5 09:03:06 UTC 2026";
        assert_eq!(
            verify_claim(&check(&v, &a, &eph, &sb, bad_ts, SIGNATURE)),
            Err(SrpError::SignatureMismatch)
        );
        let mut bad_v = v.clone();
        bad_v[5] ^= 0x80;
        assert!(verify_claim(&check(&bad_v, &a, &eph, &sb, TIMESTAMP, SIGNATURE)).is_err());
        let other_b = server_ephemeral_with_b(&v, &[1; 32]);
        assert!(verify_claim(&check(&v, &a, &other_b, &sb, TIMESTAMP, SIGNATURE)).is_err());
    }

    #[test]
    fn verify_claim_refuses_a_badly_formatted_timestamp_even_if_signed() {
        let eph = user_eph();
        let (v, a, sb) = (unhex(V), unhex(A_PUB), secret_block());
        let ts = "Thu Nov 05 09:03:07 UTC 2026";
        let sig = client::signature(POOL, USER, PASSWORD, SALT, B_PUB, &a_secret(), &sb, ts);
        assert_eq!(
            verify_claim(&check(&v, &a, &eph, &sb, ts, &sig)),
            Err(SrpError::InvalidTimestamp)
        );
    }

    #[test]
    fn zero_public_values_are_refused() {
        let n = N_HEX.to_lowercase();
        assert_eq!(parse_srp_a("0"), Err(SrpError::ZeroPublicValue));
        assert_eq!(parse_srp_a("0000"), Err(SrpError::ZeroPublicValue));
        assert_eq!(parse_srp_a(&n), Err(SrpError::ZeroPublicValue));
        assert_eq!(parse_srp_a(N_HEX), Err(SrpError::ZeroPublicValue));
        // 2N and N·2^4000 are 0 mod N too (the second goes through the long reduction)
        let wide_n = wide(&unhex(N_HEX));
        let two_n = hex::encode(to_bytes_plain(&wide_n.wrapping_add(&wide_n)));
        assert_eq!(parse_srp_a(&two_n), Err(SrpError::ZeroPublicValue));
        assert_eq!(
            parse_srp_a(&format!("{n}{}", "0".repeat(1000))),
            Err(SrpError::ZeroPublicValue)
        );
        // N + 1 is 1
        let mut n_plus_1 = n.clone();
        n_plus_1.replace_range(n.len() - 1.., "0");
        assert_eq!(
            parse_srp_a(&format!("1{}", &n_plus_1[1..])).map(|_| ()),
            Ok(())
        );
        let eph = user_eph();
        let (v, sb) = (unhex(V), secret_block());
        let zero_a = unhex(&n);
        assert_eq!(
            verify_claim(&check(&v, &zero_a, &eph, &sb, TIMESTAMP, SIGNATURE)),
            Err(SrpError::ZeroPublicValue)
        );
        assert_eq!(
            verify_claim(&check(&v, &[], &eph, &sb, TIMESTAMP, SIGNATURE)),
            Err(SrpError::ZeroPublicValue)
        );
    }

    /// A value with room for sums of two 3072-bit numbers.
    fn wide(bytes: &[u8]) -> BoxedUint {
        BoxedUint::from_be_slice(bytes, 3136).expect("fits")
    }

    fn to_bytes_plain(x: &BoxedUint) -> Vec<u8> {
        strip_leading_zeros(&x.to_be_bytes()).to_vec()
    }

    #[test]
    fn parse_srp_a_accepts_any_case_and_length() {
        let upper = A_PUB.to_uppercase();
        assert_eq!(parse_srp_a(&upper), Ok(unhex(A_PUB)));
        assert_eq!(parse_srp_a(&format!("000{A_PUB}")), Ok(unhex(A_PUB)));
        assert_eq!(parse_srp_a("abc"), Ok(vec![0x0a, 0xbc]));
        // A + N reduces to A
        let a_plus_n = wide(&unhex(A_PUB)).wrapping_add(wide(&unhex(N_HEX)));
        assert_eq!(
            parse_srp_a(&hex::encode(to_bytes_plain(&a_plus_n))),
            Ok(unhex(A_PUB))
        );
        for bad in ["", "0x12", "12 34", "xyz", "-1", "１２"] {
            assert_eq!(parse_srp_a(bad), Err(SrpError::InvalidHex), "{bad:?}");
        }
    }

    #[test]
    fn srp_b_param_is_unpadded_lowercase_hex() {
        assert_eq!(srp_b_param(&[0x0a, 0xbc]), "abc");
        assert_eq!(srp_b_param(&[0, 0xff]), "ff");
        assert_eq!(srp_b_param(&[]), "0");
    }

    #[test]
    fn check_password_uses_the_stored_salt() {
        let pv = user_verifier();
        assert!(check_password(POOL, USER, PASSWORD, &pv));
        assert!(!check_password(POOL, USER, "Passw0rd?", &pv));
        assert!(!check_password(POOL, "bob", PASSWORD, &pv));
        assert!(!check_password("AbCdEfGhJ", USER, PASSWORD, &pv));
        let mut leading_zeros = pv.clone();
        leading_zeros.verifier.insert(0, 0);
        assert!(check_password(POOL, USER, PASSWORD, &leading_zeros));
        let garbage = PasswordVerifier {
            salt: vec![],
            verifier: vec![1; 500],
        };
        assert!(!check_password(POOL, USER, PASSWORD, &garbage));

        let fresh = new_password_verifier(POOL, USER, "another one");
        assert_eq!(fresh.salt.len(), 16);
        assert!(check_password(POOL, USER, "another one", &fresh));
        assert!(!check_password(POOL, USER, PASSWORD, &fresh));
        assert!(!format!("{fresh:?}").contains(&hex::encode(&fresh.verifier)));
    }

    #[test]
    fn device_vector() {
        let salt = STANDARD.decode(DEVICE_SALT_B64).expect("base64");
        let (pv_b64, salt_b64) =
            client::device_verifier(DEVICE_GROUP, DEVICE_KEY, DEVICE_PASSWORD, &salt);
        assert_eq!(pv_b64, DEVICE_VERIFIER_B64);
        assert_eq!(salt_b64, DEVICE_SALT_B64);

        let pv = device_verifier_from_config(DEVICE_VERIFIER_B64, DEVICE_SALT_B64)
            .expect("valid config");
        assert_eq!(salt_param(&pv.salt), DEVICE_SALT_PARAM);
        assert!(check_password(
            DEVICE_GROUP,
            DEVICE_KEY,
            DEVICE_PASSWORD,
            &pv
        ));

        let eph = server_ephemeral_with_b(&pv.verifier, &unhex(B_SECRET));
        assert_eq!(srp_b_param(&eph.srp_b), DEVICE_B_PUB);
        let a = unhex(A_PUB);
        let u = compute_u(&a, &eph.srp_b);
        assert_eq!(hex::encode(u), DEVICE_U);
        let s = server_s(&a, &pv.verifier, &u, &eph.b);
        assert_eq!(hex::encode(derive_key(&u, &s)), DEVICE_KEY_K);

        let sb = secret_block();
        let sig = client::signature(
            DEVICE_GROUP,
            DEVICE_KEY,
            DEVICE_PASSWORD,
            &salt_param(&pv.salt),
            &srp_b_param(&eph.srp_b),
            &a_secret(),
            &sb,
            TIMESTAMP,
        );
        assert_eq!(sig, DEVICE_SIGNATURE);
        let claim = ClaimCheck {
            pool_name: DEVICE_GROUP,
            user_id: DEVICE_KEY,
            verifier: &pv.verifier,
            srp_a: &a,
            eph: &eph,
            secret_block: &sb,
            timestamp: TIMESTAMP,
            signature_b64: DEVICE_SIGNATURE,
        };
        assert_eq!(verify_claim(&claim), Ok(()));
        let mut wrong = claim;
        wrong.user_id = "us-east-1_4f2c7f5e-9b6a-4a3e-8f1d-2c3b4a5d6e7e";
        assert_eq!(verify_claim(&wrong), Err(SrpError::SignatureMismatch));
    }

    #[test]
    fn device_config_is_decoded_as_unsigned() {
        // A signed encoding (leading 0x00, as Android's BigInteger.toByteArray() produces for a
        // high first byte) means the same integers.
        let v = STANDARD.decode(DEVICE_VERIFIER_B64).expect("base64");
        let salt = STANDARD.decode(DEVICE_SALT_B64).expect("base64");
        let signed_v = STANDARD.encode([&[0u8][..], &v].concat());
        let signed_salt = STANDARD.encode([&[0u8][..], &salt].concat());
        let pv = device_verifier_from_config(&signed_v, &signed_salt).expect("valid");
        assert_eq!(pv.verifier, v);
        assert_eq!(pv.salt, salt);
        let high_salt = [0u8, 0x9a, 0x01];
        let pv = device_verifier_from_config(DEVICE_VERIFIER_B64, &STANDARD.encode(high_salt))
            .expect("valid");
        assert_eq!(salt_param(&pv.salt), "9a01");

        let n = unhex(N_HEX);
        for (v, s, err) in [
            ("", DEVICE_SALT_B64, SrpError::InvalidVerifier),
            ("AAAA", DEVICE_SALT_B64, SrpError::InvalidVerifier),
            (
                &STANDARD.encode(&n)[..],
                DEVICE_SALT_B64,
                SrpError::InvalidVerifier,
            ),
            (
                &STANDARD.encode([1u8; 385])[..],
                DEVICE_SALT_B64,
                SrpError::InvalidVerifier,
            ),
            (DEVICE_VERIFIER_B64, "", SrpError::InvalidSalt),
            (DEVICE_VERIFIER_B64, "AA==", SrpError::InvalidSalt),
            (
                DEVICE_VERIFIER_B64,
                &STANDARD.encode([7u8; 1025])[..],
                SrpError::InvalidSalt,
            ),
            ("not base64!", DEVICE_SALT_B64, SrpError::InvalidBase64),
            (
                DEVICE_VERIFIER_B64,
                "Dx4tPEtaaXiHlqW0w9Lh8A=!",
                SrpError::InvalidBase64,
            ),
        ] {
            assert_eq!(
                device_verifier_from_config(v, s),
                Err(err),
                "{v:.20} / {s:.20}"
            );
        }
    }

    #[test]
    fn degenerate_stored_values_are_refused() {
        let eph = user_eph();
        let (a, sb) = (unhex(A_PUB), secret_block());
        let n = unhex(N_HEX);
        for v in [&[][..], &[0, 0][..], &n[..]] {
            assert_eq!(
                verify_claim(&check(v, &a, &eph, &sb, TIMESTAMP, SIGNATURE)),
                Err(SrpError::InvalidVerifier)
            );
        }
        let v = unhex(V);
        for b in [&[][..], &[0u8; 32][..]] {
            let zero_b = server_ephemeral_with_b(&v, b);
            assert_eq!(
                verify_claim(&check(&v, &a, &zero_b, &sb, TIMESTAMP, SIGNATURE)),
                Err(SrpError::InvalidEphemeral)
            );
        }
    }

    #[test]
    fn random_ephemerals_are_fresh_and_nonzero() {
        let v = unhex(V);
        let e1 = server_ephemeral(&v);
        let e2 = server_ephemeral(&v);
        assert_eq!(e1.b.len(), 32);
        assert_ne!(e1.b, e2.b);
        assert_ne!(e1.srp_b, e2.srp_b);
        assert_eq!(server_ephemeral_with_b(&v, &e1.b), e1);
        assert!(!format!("{e1:?}").contains(&hex::encode(&e1.b)));
    }

    #[test]
    fn client_signature_is_empty_on_garbage() {
        let sb = secret_block();
        let a = a_secret();
        assert_eq!(
            client::signature(POOL, USER, PASSWORD, "zz", B_PUB, &a, &sb, TIMESTAMP),
            ""
        );
        assert_eq!(
            client::signature(POOL, USER, PASSWORD, SALT, "", &a, &sb, TIMESTAMP),
            ""
        );
        assert_eq!(
            client::signature(POOL, USER, PASSWORD, SALT, N_HEX, &a, &sb, TIMESTAMP),
            ""
        );
    }

    #[test]
    fn timestamps() {
        let ok = parse_timestamp(TIMESTAMP).expect("vector timestamp");
        assert_eq!(ok.to_rfc3339(), "2026-11-05T09:03:07+00:00");
        let ok = parse_timestamp("Wed Nov 25 23:59:01 UTC 2026").expect("two-digit day");
        assert_eq!(ok.to_rfc3339(), "2026-11-25T23:59:01+00:00");
        assert!(parse_timestamp("Tue Mar 5 09:04:05 UTC 2024").is_ok());
        assert!(parse_timestamp("Thu Feb 29 00:00:00 UTC 2024").is_ok());
        assert!(parse_timestamp("Sat Jan 1 00:00:00 UTC 2000").is_ok());
        for bad in [
            "Thu Nov 05 09:03:07 UTC 2026", // zero-padded day
            "Fri Nov 5 09:03:07 UTC 2026",  // wrong weekday
            "Thu Nov 5 9:03:07 UTC 2026",   // hour not padded
            "Thu Nov 5 09:3:07 UTC 2026",
            "Thu Nov 5 09:03:7 UTC 2026",
            "Thu Nov  5 09:03:07 UTC 2026", // asctime-style double space
            "thu Nov 5 09:03:07 UTC 2026",
            "Thu nov 5 09:03:07 UTC 2026",
            "Thursday Nov 5 09:03:07 UTC 2026",
            "Thu Nov 5 09:03:07 GMT 2026",
            "Thu Nov 5 09:03:07 UTC 26",
            "Thu Nov 5 09:03:07 UTC +2026",
            "Thu Nov 5 09:03:07 UTC 2026 ",
            " Thu Nov 5 09:03:07 UTC 2026",
            "Thu Nov 5 24:00:00 UTC 2026",
            "Thu Nov 5 23:60:00 UTC 2026",
            "Thu Nov 5 23:59:60 UTC 2026",
            "Sun Nov 31 09:03:07 UTC 2026",
            "Mon Feb 29 00:00:00 UTC 2026",
            "Thu Nov 0 09:03:07 UTC 2026",
            "Thu Nov 32 09:03:07 UTC 2026",
            "Thu Nov 5 09:03:07 UTC 2026\n",
            "Thu Nov 5 09:03:07.000 UTC 2026",
            "Thu Nov 5 09-03-07 UTC 2026",
            "Thu Nov ５ 09:03:07 UTC 2026",
            "2026-11-05T09:03:07Z",
            "",
            "      ",
        ] {
            assert_eq!(
                parse_timestamp(bad),
                Err(SrpError::InvalidTimestamp),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn client_timestamps_round_trip() {
        let dt = parse_timestamp(TIMESTAMP).expect("valid");
        assert_eq!(client::timestamp_at(dt), TIMESTAMP);
        let now = client::timestamp_now();
        assert!(parse_timestamp(&now).is_ok(), "{now}");
    }

    proptest! {
        // Each case costs several modular exponentiations; keep the count modest.
        #![proptest_config(ProptestConfig::with_cases(16))]

        #[test]
        fn client_signatures_verify_and_bit_flips_do_not(
            password in "\\PC{0,40}",
            user in "[a-zA-Z0-9@._-]{1,40}",
            salt in proptest::collection::vec(any::<u8>(), 1..20),
            a in proptest::collection::vec(any::<u8>(), 1..160),
            b in proptest::collection::vec(any::<u8>(), 32..=32),
            secret_block in proptest::collection::vec(any::<u8>(), 0..64),
            flip in 0usize..256,
        ) {
            let pool = "Xy12AbCdE";
            let verifier = compute_verifier(pool, &user, &password, &salt);
            let eph = server_ephemeral_with_b(&verifier, &b);
            let srp_a = client::srp_a(&a);
            prop_assume!(parse_srp_a(&hex::encode(&srp_a)).is_ok());
            let ts = TIMESTAMP;
            let sig = client::signature(pool, &user, &password, &salt_param(&salt), &srp_b_param(&eph.srp_b), &a, &secret_block, ts);
            let claim = ClaimCheck {
                pool_name: pool,
                user_id: &user,
                verifier: &verifier,
                srp_a: &srp_a,
                eph: &eph,
                secret_block: &secret_block,
                timestamp: ts,
                signature_b64: &sig,
            };
            prop_assert_eq!(verify_claim(&claim), Ok(()));
            let mut raw = STANDARD.decode(&sig).expect("client output is base64");
            raw[flip / 8] ^= 1 << (flip % 8);
            let flipped = STANDARD.encode(&raw);
            prop_assert_eq!(
                verify_claim(&ClaimCheck { signature_b64: &flipped, ..claim }),
                Err(SrpError::SignatureMismatch)
            );
        }
    }
}
