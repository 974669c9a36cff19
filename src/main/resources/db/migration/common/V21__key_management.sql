-- Key management (D-17): rotation with a grace period, the last source address of a key, and a
-- label on every key. Portable SQL (PostgreSQL and H2 in PostgreSQL mode).

-- While a rotated secret is in its grace period, its hash stays here until previous_secret_valid_until;
-- after that instant it is refused and may be cleared. Only hashes, never secrets.
alter table api_key add column previous_secret_hash varchar(64);
alter table api_key add column previous_secret_valid_until timestamp with time zone;
alter table api_key add column rotated_at timestamp with time zone;
-- Where the key was last used from (HTTP client address or SMTP client address), with last_used_at.
alter table api_key add column last_used_address varchar(64);

-- Every key has a label; the key an account is created with sends its own (transactional) mail.
update api_key set label = 'TRANSACTIONAL' where label is null;
alter table api_key alter column label set not null;
alter table api_key add constraint api_key_label_known check (label in ('TRANSACTIONAL', 'MARKETING'));
