//! The emulator's clock. Everything time-dependent (code and session expiry, token `exp`, TOTP
//! windows, lock-outs) reads this, so tests move time through `/_emulator/clock` instead of sleeping.

use chrono::{DateTime, Duration, Utc};
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct Clock {
    /// Offset added to the system time; moving the clock keeps it ticking.
    offset: Mutex<Duration>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.offset.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Seconds since the epoch, as the JSON protocol's timestamps are.
    pub fn epoch(&self) -> f64 {
        let now = self.now();
        now.timestamp() as f64 + f64::from(now.timestamp_subsec_millis()) / 1000.0
    }

    pub fn unix(&self) -> i64 {
        self.now().timestamp()
    }

    /// Moves the clock by `seconds`; a move out of [`check_range`] is ignored.
    pub fn advance(&self, seconds: i64) {
        if let Some(at) =
            Duration::try_seconds(seconds).and_then(|d| self.now().checked_add_signed(d))
        {
            if check_range(at).is_ok() {
                self.set(at);
            }
        }
    }

    pub fn set(&self, at: DateTime<Utc>) {
        let mut off = self.offset.lock().unwrap_or_else(|p| p.into_inner());
        *off = at - Utc::now();
    }

    /// How far the clock is from real time (what a snapshot keeps).
    pub fn offset(&self) -> Duration {
        *self.offset.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Puts back an offset taken with [`offset`](Self::offset).
    pub fn set_offset(&self, offset: Duration) {
        *self.offset.lock().unwrap_or_else(|p| p.into_inner()) = offset;
    }

    pub fn reset(&self) {
        *self.offset.lock().unwrap_or_else(|p| p.into_inner()) = Duration::zero();
    }
}

/// The earliest time the emulator clock may show.
pub const EARLIEST: &str = "1970-01-01T00:00:00Z";
/// The latest time the emulator clock may show: tokens carry times as JSON numbers and the API as
/// RFC 3339 text, and neither is meant for years beyond four digits.
pub const LATEST: &str = "9999-12-31T23:59:59Z";

/// Whether `at` is a time the emulator clock may show; Err names the limits.
pub fn check_range(at: DateTime<Utc>) -> Result<(), String> {
    let bound = |s: &str| DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc));
    match (bound(EARLIEST), bound(LATEST)) {
        (Ok(lo), Ok(hi)) if at >= lo && at <= hi => Ok(()),
        _ => Err(format!(
            "the clock must stay between {EARLIEST} and {LATEST}"
        )),
    }
}
