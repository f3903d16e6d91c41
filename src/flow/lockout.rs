//! Lock-out after repeated wrong passwords (Cognito Developer Guide, "Lockout behavior for failed
//! sign-in attempts").
//!
//! Five consecutive failures lock the user for 1 s; every further failure doubles the lock, up to
//! 15 min. Attempts while locked are refused with "Password attempts exceeded" without checking the
//! password and without extending the lock. 15 min without a failure starts the count afresh.
//!
//! What counts (DG "Lockout behavior for failed sign-in attempts"): "failed ... sign-in attempts
//! with a password", and "this behavior doesn't apply to custom challenges unless they also
//! perform password-based authentication". A wrong DEVICE_PASSWORD_VERIFIER proves the device
//! secret, not the user's password, and no public record says Cognito counts it, so it does not
//! count here (it only fails the sign-in with "Incorrect username or password.").
//!
//! Wrong MFA codes (DG "Adding MFA to a user pool"): "After five unsuccessful attempts to present
//! an MFA code, Amazon Cognito begins the exponential-timeout lockout process described at Lockout
//! behavior for failed sign-in attempts." They are counted per user, across sessions (a session
//! itself dies after three, `flow::session::MAX_WRONG_CODES`), apart from wrong passwords: the
//! password is proven again at every sign-in, which clears the password count, so a shared count
//! would never reach five. The lock they start is the same lock (`locked_until`), refused with the
//! same "Password attempts exceeded". Whether Cognito adds both kinds into one count is not
//! public [B]. A right code clears the count, as a successful sign-in does; 15 quiet minutes
//! start it afresh.

use crate::domain::mfa::UserMfa;
use crate::domain::records::UserRecord;

/// Failures that are tolerated before the first lock.
pub const THRESHOLD: i64 = 5;
/// The longest lock, in seconds.
pub const MAX_LOCK_SECONDS: f64 = 900.0;
/// A failure this long after the previous one counts as the first of a new series.
pub const RESET_AFTER_SECONDS: f64 = 900.0;

pub fn is_locked(user: &UserRecord, now: f64) -> bool {
    user.locked_until.is_some_and(|until| now < until)
}

/// How long the lock after the `failures`-th consecutive failure lasts (0 below the threshold).
pub fn lock_seconds(failures: i64) -> f64 {
    if failures < THRESHOLD {
        return 0.0;
    }
    // 2^(failures - THRESHOLD) capped; the exponent is bounded so the shift cannot overflow.
    let exp = (failures - THRESHOLD).min(20) as u32;
    ((1u64 << exp) as f64).min(MAX_LOCK_SECONDS)
}

/// Counts a wrong password.
pub fn record_failure(user: &mut UserRecord, now: f64) {
    if user
        .last_failed_at
        .is_some_and(|last| now - last >= RESET_AFTER_SECONDS)
    {
        user.failed_attempts = 0;
        user.locked_until = None;
    }
    user.failed_attempts += 1;
    user.last_failed_at = Some(now);
    let lock = lock_seconds(user.failed_attempts);
    if lock > 0.0 {
        user.locked_until = Some(now + lock);
    }
}

/// Clears the counters after a proven password. Returns whether anything changed, so callers
/// write the user back only when they must (the common sign-in stays one read, no write).
pub fn record_success(user: &mut UserRecord) -> bool {
    let changed =
        user.failed_attempts != 0 || user.locked_until.is_some() || user.last_failed_at.is_some();
    user.failed_attempts = 0;
    user.locked_until = None;
    user.last_failed_at = None;
    changed
}

/// Counts a wrong MFA code (SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA answers) and, from the fifth,
/// locks the user as a wrong password would.
pub fn record_wrong_code(user: &mut UserRecord, now: f64) {
    let mut m = UserMfa::of(user);
    if m.last_failed_code_at
        .is_some_and(|last| now - last >= RESET_AFTER_SECONDS)
    {
        m.failed_codes = 0;
    }
    m.failed_codes += 1;
    m.last_failed_code_at = Some(now);
    let lock = lock_seconds(m.failed_codes);
    if lock > 0.0 {
        let until = now + lock;
        user.locked_until = Some(user.locked_until.map_or(until, |u| u.max(until)));
    }
    m.save(user);
}

/// Clears the wrong-code count after a right code. Returns whether anything changed.
pub fn record_right_code(user: &mut UserRecord) -> bool {
    let mut m = UserMfa::of(user);
    if m.failed_codes == 0 && m.last_failed_code_at.is_none() {
        return false;
    }
    m.failed_codes = 0;
    m.last_failed_code_at = None;
    m.save(user);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fifth_wrong_mfa_code_locks_and_further_ones_double_the_lock() {
        // (wrong codes so far, seconds between them, expected lock end after the last one)
        let table: [(i64, f64, Option<f64>); 5] = [
            (1, 1.0, None),
            (4, 1.0, None),
            (5, 1.0, Some(101.0)),
            (6, 1.0, Some(102.0)),
            (7, 1.0, Some(104.0)),
        ];
        for (n, step, until) in table {
            let mut u = UserRecord::default();
            let mut now = 100.0 - step * (n - 1) as f64;
            for _ in 0..n {
                record_wrong_code(&mut u, now);
                now += step;
            }
            assert_eq!(u.locked_until, until, "after {n} wrong codes");
            assert_eq!(UserMfa::of(&u).failed_codes, n);
            // Wrong codes are not wrong passwords.
            assert_eq!(u.failed_attempts, 0);
        }
    }

    #[test]
    fn a_proven_password_keeps_the_wrong_code_count_and_a_right_code_clears_it() {
        let mut u = UserRecord::default();
        for i in 0..3 {
            record_wrong_code(&mut u, 10.0 + i as f64);
        }
        record_success(&mut u);
        for i in 0..2 {
            record_wrong_code(&mut u, 20.0 + i as f64);
        }
        assert_eq!(u.locked_until, Some(22.0));
        assert!(record_right_code(&mut u));
        assert_eq!(UserMfa::of(&u).failed_codes, 0);
        assert!(!record_right_code(&mut u));
        // A quiet quarter hour also starts the count afresh.
        for i in 0..4 {
            record_wrong_code(&mut u, 100.0 + i as f64);
        }
        record_wrong_code(&mut u, 103.0 + RESET_AFTER_SECONDS);
        assert_eq!(UserMfa::of(&u).failed_codes, 1);
    }

    #[test]
    fn a_shorter_code_lock_never_shortens_a_password_lock() {
        let mut u = UserRecord {
            locked_until: Some(500.0),
            ..UserRecord::default()
        };
        for i in 0..5 {
            record_wrong_code(&mut u, 10.0 + i as f64);
        }
        assert_eq!(u.locked_until, Some(500.0));
    }

    #[test]
    fn the_lock_starts_at_the_fifth_failure_and_doubles_up_to_fifteen_minutes() {
        let table = [
            (1, 0.0),
            (4, 0.0),
            (5, 1.0),
            (6, 2.0),
            (7, 4.0),
            (14, 512.0),
            (15, 900.0),
            (99, 900.0),
        ];
        for (failures, secs) in table {
            assert_eq!(lock_seconds(failures), secs, "after {failures} failures");
        }
    }

    #[test]
    fn failures_accumulate_and_reset_after_a_quiet_quarter_hour() {
        let mut u = UserRecord::default();
        for i in 0..5 {
            record_failure(&mut u, 100.0 + i as f64);
        }
        assert_eq!(u.failed_attempts, 5);
        assert_eq!(u.locked_until, Some(105.0));
        assert!(is_locked(&u, 104.5));
        assert!(!is_locked(&u, 105.0));
        record_failure(&mut u, 110.0);
        assert_eq!(u.locked_until, Some(112.0));
        // A quarter of an hour later the series starts again.
        record_failure(&mut u, 110.0 + RESET_AFTER_SECONDS);
        assert_eq!(u.failed_attempts, 1);
        assert_eq!(u.locked_until, None);
    }

    #[test]
    fn success_clears_the_counters_and_says_whether_a_write_is_needed() {
        let mut u = UserRecord::default();
        assert!(!record_success(&mut u));
        record_failure(&mut u, 1.0);
        assert!(record_success(&mut u));
        assert_eq!(u.failed_attempts, 0);
        assert_eq!(u.last_failed_at, None);
    }
}
