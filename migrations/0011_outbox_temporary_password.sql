-- An invitation's temporary password as a field of its outbox message (README, "Emulator
-- endpoints"), so tests need not parse it out of the text.
ALTER TABLE messages ADD COLUMN temporary_password TEXT;
