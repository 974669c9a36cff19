-- An optional second DKIM signature with Ed25519 (RFC 8463), per domain: both columns are set when the
-- account turns it on and cleared when it turns it off. The seed stays inside; the raw public key is
-- the p= of the record published at mt2._domainkey.
alter table sending_domain add column ed25519_private_key varchar(100);
alter table sending_domain add column ed25519_public_key varchar(100);
