-- Each event row names the transaction that wrote it (xid8, as a number), so a consumer can read only
-- up to pg_snapshot_xmin(pg_current_snapshot()): every transaction below it has ended (ADR 0010).
alter table message_event alter column tx_id set default (pg_current_xact_id()::text::bigint);
create index message_event_stream on message_event (tx_id, id);
