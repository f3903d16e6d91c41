//! RFC 6238 TOTP as Cognito software tokens use it (Cognito Developer Guide, "TOTP software token
//! MFA"): HMAC-SHA1, 6 digits, 30-second steps from T0 = 0. Amplify's `otpauth://` URI carries no
//! algorithm, digits or period (amplify-js `signInHelpers.ts`, `getTOTPSetupDetails`), so
//! authenticator apps use exactly these defaults.
//!
//! Pure: the caller passes the emulator clock's Unix time, and [`verify`] returns the matched
//! time step so the caller can refuse a code whose step was already used
//! (`ExpiredCodeException` "Your software token has already been used once.").

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;
use subtle::{ConditionallySelectable, ConstantTimeEq};

/// Seconds per time step.
pub const STEP_SECONDS: i64 = 30;
/// Digits in a Cognito TOTP code.
pub const DIGITS: u32 = 6;
/// Random bytes in a new secret: 32 bytes give the 52-character SecretCode seen from Cognito.
const SECRET_BYTES: usize = 32;

/// A new `SecretCode`: RFC 4648 base32 (A–Z, 2–7) without padding of 32 random bytes.
pub fn new_secret() -> String {
    let mut key = [0u8; SECRET_BYTES];
    rand::thread_rng().fill_bytes(&mut key);
    data_encoding::BASE32_NOPAD.encode(&key)
}

/// Decodes a SecretCode. Authenticator apps accept lower case and `=` padding, so we do too;
/// anything else (or an empty key) is refused.
fn decode_secret(secret_b32: &str) -> Option<Vec<u8>> {
    let normalized = secret_b32.trim_end_matches('=').to_ascii_uppercase();
    let key = data_encoding::BASE32_NOPAD
        .decode(normalized.as_bytes())
        .ok()?;
    (!key.is_empty()).then_some(key)
}

/// RFC 4226 HOTP: dynamic truncation of HMAC-SHA1(key, counter), `digits` decimal digits.
fn hotp(key: &[u8], counter: u64, digits: u32) -> u32 {
    // HMAC accepts keys of any length: new_from_slice cannot fail.
    let Ok(mut mac) = <Hmac<Sha1> as Mac>::new_from_slice(key) else {
        return 0;
    };
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[19] & 0x0f);
    let binary = u32::from_be_bytes([
        hash[offset] & 0x7f,
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]);
    binary % 10u32.pow(digits)
}

fn format_code(value: u32) -> String {
    format!("{value:0width$}", width = DIGITS as usize)
}

/// The time step containing `unix_secs` (none before 1970: T0 = 0 and counters are unsigned).
fn step_of(unix_secs: i64) -> Option<i64> {
    (unix_secs >= 0).then_some(unix_secs / STEP_SECONDS)
}

/// The 6-digit code for `unix_secs`, or `None` for an undecodable secret or a negative time.
pub fn code_at(secret_b32: &str, unix_secs: i64) -> Option<String> {
    let key = decode_secret(secret_b32)?;
    let step = u64::try_from(step_of(unix_secs)?).ok()?;
    Some(format_code(hotp(&key, step, DIGITS)))
}

/// Checks a user's code against the previous, current and next time step (±30 s: Cognito Developer
/// Guide, "TOTP software token MFA") and returns the step it matched, so the caller can refuse
/// reuse of a step. `None` for a wrong code, a code that is not exactly 6 ASCII digits, an
/// undecodable secret or a negative time.
///
/// All three candidates are computed and compared in constant time, so timing does not tell which
/// step (if any) matched. Should a code match more than one step (chance 2 in a million), the
/// current step wins, then the previous one.
pub fn verify(secret_b32: &str, code: &str, unix_secs: i64) -> Option<i64> {
    if code.len() != DIGITS as usize || !code.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let key = decode_secret(secret_b32)?;
    let current = step_of(unix_secs)?;
    let mut matched = subtle::Choice::from(0);
    let mut found: i64 = 0;
    // Later candidates overwrite earlier ones: order them by increasing priority.
    for step in [current + 1, current - 1, current] {
        let Ok(counter) = u64::try_from(step) else {
            continue; // step -1 at the epoch: nothing to compare
        };
        let expected = format_code(hotp(&key, counter, DIGITS));
        let hit = expected.as_bytes().ct_eq(code.as_bytes());
        found = i64::conditional_select(&found, &step, hit);
        matched |= hit;
    }
    bool::from(matched).then_some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B uses the ASCII key "12345678901234567890" for SHA-1.
    const RFC_KEY: &[u8] = b"12345678901234567890";
    const RFC_KEY_B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    /// (time, 8-digit TOTP) pairs from RFC 6238 appendix B, SHA-1 column.
    const RFC_VECTORS: [(i64, &str); 6] = [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ];

    #[test]
    fn hotp_core_matches_rfc_6238_with_8_digits() {
        for (t, code) in RFC_VECTORS {
            let step = u64::try_from(t / 30).expect("positive");
            assert_eq!(format!("{:08}", hotp(RFC_KEY, step, 8)), code, "t={t}");
        }
    }

    #[test]
    fn hotp_core_matches_rfc_4226() {
        // RFC 4226 appendix D: same key, counters 0..9, 6 digits.
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, code) in (0u64..).zip(expected) {
            assert_eq!(format_code(hotp(RFC_KEY, counter, 6)), code);
        }
    }

    #[test]
    fn six_digit_codes_are_the_rfc_codes_truncated() {
        assert_eq!(data_encoding::BASE32_NOPAD.encode(RFC_KEY), RFC_KEY_B32);
        for (t, code8) in RFC_VECTORS {
            let code6 = &code8[2..];
            assert_eq!(code_at(RFC_KEY_B32, t).as_deref(), Some(code6), "t={t}");
            assert_eq!(verify(RFC_KEY_B32, code6, t), Some(t / 30));
        }
        // leading zeros are kept: 07081804 -> 081804
        assert_eq!(code_at(RFC_KEY_B32, 1111111109).as_deref(), Some("081804"));
    }

    #[test]
    fn window_is_previous_current_and_next_step() {
        let t = 1111111111; // 1 s into step 37037037
        let step = t / 30;
        let at = |s: i64| code_at(RFC_KEY_B32, s * 30).expect("valid");
        assert_eq!(verify(RFC_KEY_B32, &at(step), t), Some(step));
        assert_eq!(verify(RFC_KEY_B32, &at(step - 1), t), Some(step - 1));
        assert_eq!(verify(RFC_KEY_B32, &at(step + 1), t), Some(step + 1));
        assert_eq!(verify(RFC_KEY_B32, &at(step - 2), t), None);
        assert_eq!(verify(RFC_KEY_B32, &at(step + 2), t), None);
        // edges of the current step: first and last second
        let first = step * 30;
        let last = step * 30 + 29;
        assert_eq!(verify(RFC_KEY_B32, &at(step - 1), first), Some(step - 1));
        assert_eq!(verify(RFC_KEY_B32, &at(step + 1), last), Some(step + 1));
        assert_eq!(verify(RFC_KEY_B32, &at(step - 1), last + 1), None);
        assert_eq!(verify(RFC_KEY_B32, &at(step + 1), first - 1), None);
    }

    #[test]
    fn the_epoch_has_no_previous_step() {
        let code0 = code_at(RFC_KEY_B32, 0).expect("valid");
        assert_eq!(verify(RFC_KEY_B32, &code0, 0), Some(0));
        assert_eq!(verify(RFC_KEY_B32, &code0, 29), Some(0));
        assert_eq!(verify(RFC_KEY_B32, &code0, 30), Some(0));
        assert_eq!(code_at(RFC_KEY_B32, -1), None);
        assert_eq!(verify(RFC_KEY_B32, &code0, -1), None);
    }

    #[test]
    fn new_secrets_are_52_base32_chars_and_work() {
        let s = new_secret();
        assert_eq!(s.len(), 52);
        assert!(s
            .bytes()
            .all(|c| c.is_ascii_uppercase() || (b'2'..=b'7').contains(&c)));
        assert_ne!(s, new_secret());
        let now = 1_800_000_000;
        let code = code_at(&s, now).expect("own secret decodes");
        assert_eq!(code.len(), 6);
        assert_eq!(verify(&s, &code, now), Some(now / 30));
    }

    #[test]
    fn lowercase_and_padded_secrets_are_accepted() {
        let lower = RFC_KEY_B32.to_lowercase();
        assert_eq!(code_at(&lower, 59).as_deref(), Some("287082"));
        let padded = data_encoding::BASE32.encode(b"12345"); // "GEZDGNBV" (no padding needed)
        assert!(code_at(&padded, 59).is_some());
        let padded = data_encoding::BASE32.encode(b"123456"); // needs "======"
        assert!(padded.ends_with('='));
        assert!(code_at(&padded, 59).is_some());
    }

    #[test]
    fn garbage_is_refused() {
        let good = code_at(RFC_KEY_B32, 59).expect("valid");
        for secret in [
            "",
            "1",
            "GEZDGNBVGY3TQOJQ1",
            "GEZ DGNBV",
            "GEZDGNBV!",
            "日本",
            "=",
        ] {
            assert_eq!(code_at(secret, 59), None, "{secret:?}");
            assert_eq!(verify(secret, &good, 59), None, "{secret:?}");
        }
        for code in [
            "",
            "28708",
            "2870820",
            " 287082",
            "287082 ",
            "28708a",
            "+28708",
            "２８７０８２",
            "-87082",
        ] {
            assert_eq!(verify(RFC_KEY_B32, code, 59), None, "{code:?}");
        }
        assert_eq!(verify(RFC_KEY_B32, "287083", 59), None);
        assert_eq!(verify(RFC_KEY_B32, &good, i64::MIN), None);
        assert!(verify(RFC_KEY_B32, &good, i64::MAX).is_none());
        assert!(code_at(RFC_KEY_B32, i64::MAX).is_some());
    }
}
