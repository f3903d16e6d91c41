-- What a user costs in the database (bench/README.md, "Memory at a million users"). Every index
-- on users began with the pool id, 19 characters repeated in each of 14 entries per user; they
-- now begin with a small integer pool number. Indexes of keys and attributes most users do not
-- have are partial (`WHERE ... IS NOT NULL`): a user without a phone number costs nothing there.
-- A query uses a partial index when its WHERE implies the index's, which a comparison (`=`,
-- `>=`, `<`) on the same expression does (https://www.sqlite.org/partialindex.html).
-- The listing order and the status / enabled filters share one index, users_listing; ListUsers
-- reads one range of it per (status, enabled) pair it admits and merges them (store/users.rs).
--
-- The users table is not rebuilt (a dozen tables cascade from it): new columns, filled here.

-- The pool number: assigned when the pool is created, never changed, restored with the pool by
-- snapshots. An explicit column, not the rowid, which VACUUM may renumber.
ALTER TABLE user_pools ADD COLUMN no INTEGER;
UPDATE user_pools SET no = rowid;
CREATE UNIQUE INDEX user_pools_no ON user_pools(no);
-- A pool inserted without a number gets the next one. A deleted pool's number may be given
-- again: its users went with it (users.pool_id cascades).
CREATE TRIGGER user_pools_no AFTER INSERT ON user_pools WHEN NEW.no IS NULL
BEGIN
    UPDATE user_pools SET no = (SELECT COALESCE(MAX(no), 0) + 1 FROM user_pools) WHERE id = NEW.id;
END;

-- The user's pool number. The store's INSERT sets it; a row written without it (by hand, by an
-- older tool) gets it here, so no user is ever missing from the indexes below, and the UNIQUE
-- username index still holds (NULLs would be distinct).
ALTER TABLE users ADD COLUMN pool_no INTEGER;
CREATE TRIGGER users_pool_no AFTER INSERT ON users WHEN NEW.pool_no IS NULL
BEGIN
    UPDATE users SET pool_no = (SELECT no FROM user_pools WHERE id = NEW.pool_id)
     WHERE rowid = NEW.rowid;
END;

DROP INDEX users_username;
DROP INDEX users_email;
DROP INDEX users_phone;
DROP INDEX users_preferred_username;
DROP INDEX users_created;
DROP INDEX users_filter_email;
DROP INDEX users_filter_phone_number;
DROP INDEX users_filter_name;
DROP INDEX users_filter_given_name;
DROP INDEX users_filter_family_name;
DROP INDEX users_filter_preferred_username;
DROP INDEX users_filter_status;
DROP INDEX users_filter_enabled;

UPDATE users SET pool_no = (SELECT no FROM user_pools WHERE id = users.pool_id);

CREATE UNIQUE INDEX users_username ON users(pool_no, username_key);
CREATE INDEX users_email ON users(pool_no, email_key) WHERE email_key IS NOT NULL;
CREATE INDEX users_phone ON users(pool_no, phone_key) WHERE phone_key IS NOT NULL;
CREATE INDEX users_preferred_username ON users(pool_no, preferred_username_key)
    WHERE preferred_username_key IS NOT NULL;
CREATE INDEX users_listing ON users(pool_no, status, enabled, created_at, sub);
CREATE INDEX users_filter_email ON users(pool_no, json_extract(attributes, '$.email'))
    WHERE json_extract(attributes, '$.email') IS NOT NULL;
CREATE INDEX users_filter_phone_number ON users(pool_no, json_extract(attributes, '$.phone_number'))
    WHERE json_extract(attributes, '$.phone_number') IS NOT NULL;
CREATE INDEX users_filter_name ON users(pool_no, json_extract(attributes, '$.name'))
    WHERE json_extract(attributes, '$.name') IS NOT NULL;
CREATE INDEX users_filter_given_name ON users(pool_no, json_extract(attributes, '$.given_name'))
    WHERE json_extract(attributes, '$.given_name') IS NOT NULL;
CREATE INDEX users_filter_family_name ON users(pool_no, json_extract(attributes, '$.family_name'))
    WHERE json_extract(attributes, '$.family_name') IS NOT NULL;
CREATE INDEX users_filter_preferred_username
    ON users(pool_no, json_extract(attributes, '$.preferred_username'))
    WHERE json_extract(attributes, '$.preferred_username') IS NOT NULL;
