-- The MIME of a queued message; bytea on PostgreSQL.
alter table message add column mime bytea;
