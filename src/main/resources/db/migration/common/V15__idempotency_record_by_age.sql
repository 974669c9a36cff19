-- Idempotency records are purged after mailtree.retention.idempotency (24 h by default): the purge
-- looks them up by age.
create index idempotency_record_by_age on idempotency_record (created_at);
