-- AttributesRequireVerificationBeforeUpdate: a changed email / phone number waits beside the code
-- that verifies it, and the user keeps the old value (signing in with it, receiving messages at
-- it) until VerifyUserAttribute. The pending value dies with its code.
ALTER TABLE codes ADD COLUMN pending_value TEXT;

-- Per-user request limits (LimitExceededException "Attempt limit exceeded, please try after some
-- time."): one row per counted request, counted over a sliding hour.
CREATE TABLE user_attempts (
    pool_id  TEXT NOT NULL,
    sub      TEXT NOT NULL,
    action   TEXT NOT NULL,                -- the operation name, e.g. ForgotPassword
    at       REAL NOT NULL,
    FOREIGN KEY (pool_id, sub) REFERENCES users(pool_id, sub) ON DELETE CASCADE
);
CREATE INDEX user_attempts_user ON user_attempts(pool_id, sub, action, at);
