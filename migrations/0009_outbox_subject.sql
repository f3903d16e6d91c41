-- The subject line of email messages in the outbox (null for SMS): the pool's
-- VerificationMessageTemplate / InviteMessageTemplate / EmailMfaConfiguration subject, or the
-- CustomMessage function's emailSubject. Added, never renamed (design/emulator-interface.md).
ALTER TABLE messages ADD COLUMN subject TEXT;
