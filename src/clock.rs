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

    pub fn advance(&self, seconds: i64) {
        let mut off = self.offset.lock().unwrap_or_else(|p| p.into_inner());
        *off += Duration::seconds(seconds);
    }

    pub fn set(&self, at: DateTime<Utc>) {
        let mut off = self.offset.lock().unwrap_or_else(|p| p.into_inner());
        *off = at - Utc::now();
    }

    pub fn reset(&self) {
        *self.offset.lock().unwrap_or_else(|p| p.into_inner()) = Duration::zero();
    }
}
