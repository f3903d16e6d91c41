-- User auth events (AdminListUserAuthEvents), recorded only in pools with the threat-protection
-- add-on (UserPoolAddOns.AdvancedSecurityMode AUDIT / ENFORCED), as Cognito records them.
CREATE TABLE auth_events (
    event_id           TEXT PRIMARY KEY,
    pool_id            TEXT NOT NULL,
    sub                TEXT NOT NULL,
    event_type         TEXT NOT NULL,      -- SignIn, ForgotPassword, PasswordChange
    event_response     TEXT NOT NULL,      -- Pass, Fail, InProgress
    challenges         TEXT NOT NULL DEFAULT '[]', -- ChallengeResponses JSON
    created_at         REAL NOT NULL,
    feedback_value     TEXT,
    feedback_provider  TEXT,
    feedback_date      REAL,
    FOREIGN KEY (pool_id, sub) REFERENCES users(pool_id, sub) ON DELETE CASCADE
);
CREATE INDEX auth_events_user ON auth_events(pool_id, sub, created_at);
