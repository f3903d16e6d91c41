//! Remembered devices (table `devices`; Cognito Developer Guide, "Working with user devices in your
//! user pool") and the one auth-session lookup device sign-in needs.
//!
//! A row is created unconfirmed when a sign-in hands out `NewDeviceMetadata`; ConfirmDevice
//! stores the device's SRP salt and verifier and confirms it. Until then the row only exists so
//! that the tokens of that sign-in can be bound to its key.

use super::Store;
use crate::domain::records::{DeviceConfirmation, DeviceRecord, REMEMBERED};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

const COLUMNS: &str = "device_key, pool_id, sub, device_group_key, salt, verifier, name, \
    remembered, confirmed, created_at, modified_at, last_authenticated_at";

fn from_row(r: &SqliteRow) -> Result<DeviceRecord, sqlx::Error> {
    Ok(DeviceRecord {
        device_key: r.try_get("device_key")?,
        pool_id: r.try_get("pool_id")?,
        sub: r.try_get("sub")?,
        device_group_key: r.try_get("device_group_key")?,
        salt: r.try_get::<Option<Vec<u8>>, _>("salt")?.unwrap_or_default(),
        verifier: r
            .try_get::<Option<Vec<u8>>, _>("verifier")?
            .unwrap_or_default(),
        name: r.try_get("name")?,
        remembered: r.try_get("remembered")?,
        confirmed: r.try_get::<i64, _>("confirmed")? != 0,
        created_at: r.try_get("created_at")?,
        modified_at: r.try_get("modified_at")?,
        last_authenticated_at: r.try_get("last_authenticated_at")?,
    })
}

/// How long a device from NewDeviceMetadata may wait for its ConfirmDevice. Clients confirm right
/// after the sign-in; the limit only keeps sign-ins that never confirm from piling up rows.
const UNCONFIRMED_TTL_SECONDS: f64 = 3600.0;

impl Store {
    /// A new (unconfirmed) device; the user's unconfirmed devices older than an hour go at the
    /// same time.
    pub async fn insert_device(&self, d: &DeviceRecord) -> Result<(), sqlx::Error> {
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "DELETE FROM devices WHERE pool_id = ? AND sub = ? AND confirmed = 0 AND created_at < ?",
        )
        .bind(&d.pool_id)
        .bind(&d.sub)
        .bind(d.created_at - UNCONFIRMED_TTL_SECONDS)
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "INSERT INTO devices ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(&d.device_key)
        .bind(&d.pool_id)
        .bind(&d.sub)
        .bind(&d.device_group_key)
        .bind((!d.salt.is_empty()).then_some(&d.salt))
        .bind((!d.verifier.is_empty()).then_some(&d.verifier))
        .bind(&d.name)
        .bind(&d.remembered)
        .bind(d.confirmed as i64)
        .bind(d.created_at)
        .bind(d.modified_at)
        .bind(d.last_authenticated_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// A device of the pool by key, confirmed or not, whoever owns it.
    pub async fn get_device(
        &self,
        pool_id: &str,
        device_key: &str,
    ) -> Result<Option<DeviceRecord>, sqlx::Error> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM devices WHERE device_key = ? AND pool_id = ?"
        ))
        .bind(device_key)
        .bind(pool_id)
        .fetch_optional(&self.db)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    /// ConfirmDevice: only an unconfirmed device of this user is confirmed; false otherwise (the
    /// caller has looked the device up, so false means another confirmation won a race).
    pub async fn confirm_device(
        &self,
        pool_id: &str,
        sub: &str,
        device_key: &str,
        c: &DeviceConfirmation<'_>,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE devices SET salt = ?, verifier = ?, name = ?, remembered = ?, confirmed = 1, \
             modified_at = ? WHERE device_key = ? AND pool_id = ? AND sub = ? AND confirmed = 0",
        )
        .bind(c.salt)
        .bind(c.verifier)
        .bind(c.name)
        .bind(c.remembered)
        .bind(c.now)
        .bind(device_key)
        .bind(pool_id)
        .bind(sub)
        .execute(&self.db)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// (Admin)UpdateDeviceStatus on a confirmed device of this user.
    pub async fn set_device_status(
        &self,
        pool_id: &str,
        sub: &str,
        device_key: &str,
        remembered: &str,
        now: f64,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE devices SET remembered = ?, modified_at = ? \
             WHERE device_key = ? AND pool_id = ? AND sub = ? AND confirmed = 1",
        )
        .bind(remembered)
        .bind(now)
        .bind(device_key)
        .bind(pool_id)
        .bind(sub)
        .execute(&self.db)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// (Admin)ForgetDevice: the device is gone, so refresh tokens bound to it stop working too.
    pub async fn delete_device(
        &self,
        pool_id: &str,
        sub: &str,
        device_key: &str,
    ) -> Result<bool, sqlx::Error> {
        let done =
            sqlx::query("DELETE FROM devices WHERE device_key = ? AND pool_id = ? AND sub = ?")
                .bind(device_key)
                .bind(pool_id)
                .bind(sub)
                .execute(&self.db)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A successful device SRP sign-in (`DeviceLastAuthenticatedDate`).
    pub async fn touch_device(
        &self,
        pool_id: &str,
        device_key: &str,
        now: f64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE devices SET last_authenticated_at = ? WHERE device_key = ? AND pool_id = ?",
        )
        .bind(now)
        .bind(device_key)
        .bind(pool_id)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// A page of the user's confirmed devices (all of them, or only remembered ones) in
    /// device-key order, starting after `after`; `limit + 1` rows are read so the caller knows
    /// whether another page follows.
    pub async fn list_devices(
        &self,
        pool_id: &str,
        sub: &str,
        only_remembered: bool,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<DeviceRecord>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM devices WHERE pool_id = ? AND sub = ? AND confirmed = 1 \
             AND (? = 0 OR remembered = '{REMEMBERED}') AND device_key > ? \
             ORDER BY device_key LIMIT ?"
        ))
        .bind(pool_id)
        .bind(sub)
        .bind(only_remembered as i64)
        .bind(after.unwrap_or(""))
        .bind(limit + 1)
        .fetch_all(&self.db)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// The newest open DEVICE_SRP_AUTH session of this user and device: how a DEVICE_SRP_AUTH
    /// answer without `Session` (pycognito sends none) finds the sign-in it continues.
    pub async fn pending_device_srp_session(
        &self,
        pool_id: &str,
        client_id: &str,
        sub: &str,
        device_key: &str,
        now: f64,
    ) -> Result<Option<String>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT id FROM auth_sessions WHERE pool_id = ? AND client_id = ? AND sub = ? \
             AND consumed = 0 AND expires_at > ? \
             AND json_extract(state, '$.pending.challenge') = 'DEVICE_SRP_AUTH' \
             AND json_extract(state, '$.pending.device_key') = ? \
             ORDER BY created_at DESC LIMIT 1",
        )
        .bind(pool_id)
        .bind(client_id)
        .bind(sub)
        .bind(now)
        .bind(device_key)
        .fetch_optional(&self.db)
        .await?;
        row.map(|r| r.try_get("id")).transpose()
    }
}
