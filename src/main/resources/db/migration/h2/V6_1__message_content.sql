-- The MIME of a queued message; a variable-length binary on H2.
alter table message add column mime varbinary(1000000000);
