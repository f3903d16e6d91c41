-- ListUsers filters run on indexes (README, "ListUsers filters"), so their cost does not grow with
-- the pool. Attributes that live in the attributes JSON get an expression index each; the few
-- users one value matches are then sorted into the listing order. Status and the enabled flag
-- match many users each, so their indexes end in the listing order (created_at, sub) and page
-- without sorting. username (users_username) and sub (the primary key) already have theirs.
CREATE INDEX users_filter_email ON users(pool_id, json_extract(attributes, '$.email'));
CREATE INDEX users_filter_phone_number ON users(pool_id, json_extract(attributes, '$.phone_number'));
CREATE INDEX users_filter_name ON users(pool_id, json_extract(attributes, '$.name'));
CREATE INDEX users_filter_given_name ON users(pool_id, json_extract(attributes, '$.given_name'));
CREATE INDEX users_filter_family_name ON users(pool_id, json_extract(attributes, '$.family_name'));
CREATE INDEX users_filter_preferred_username ON users(pool_id, json_extract(attributes, '$.preferred_username'));
CREATE INDEX users_filter_status ON users(pool_id, status, created_at, sub);
CREATE INDEX users_filter_enabled ON users(pool_id, enabled, created_at, sub);
