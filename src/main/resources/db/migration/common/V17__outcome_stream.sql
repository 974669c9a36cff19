-- Delivery outcomes as a stream that modules consume (ADR 0010).
-- The bounce class of a BOUNCED event (HARD or SOFT), so a consumer need not parse the detail text.
alter table message_event add column bounce_class varchar(4);
update message_event set bounce_class = case when detail like 'hard:%' then 'HARD' else 'SOFT' end
    where event_type = 'BOUNCED';
-- The writing transaction's id on PostgreSQL (its default is set in postgresql/V17_1); 0 on H2 and for
-- rows written before this migration. A consumer reads in (tx_id, id) order up to a safe horizon.
alter table message_event add column tx_id bigint default 0 not null;

-- One row per consumer: how far it has applied the stream, and how its last attempts went. The row is
-- locked while a consumer runs a batch, so two nodes never run the same consumer at once, and its
-- position is written in the transaction of the batch's effect.
create table event_consumer (
    name         varchar(60)  primary key,
    position_tx  bigint       not null,
    position_id  bigint       not null,
    updated_at   timestamp with time zone not null,
    applied      bigint       default 0 not null,   -- events applied since the row was made
    failures     integer      default 0 not null,   -- failed attempts in a row; 0 once a batch commits
    last_error   varchar(1000),
    retry_at     timestamp with time zone
);

-- The effects that delivery applied itself until now start from the end of the existing events:
-- what came before was already applied.
insert into event_consumer (name, position_tx, position_id, updated_at)
    select 'contacts.suppressions', 0, coalesce(max(id), 0), current_timestamp from message_event;
insert into event_consumer (name, position_tx, position_id, updated_at)
    select 'accounts.last-send', 0, coalesce(max(id), 0), current_timestamp from message_event;
