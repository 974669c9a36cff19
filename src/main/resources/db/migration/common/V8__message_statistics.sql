-- Hourly counts of message events per account and per API key, for the statistics pages and API.
-- They are kept up to date in the transaction that records the events (delivery writes them once
-- per claimed batch, the send API once per call), so a chart never scans the event store.
create table message_stat (
    account_id  uuid        not null,
    api_key_id  uuid        not null,   -- the nil UUID for mail sent without a key (the application's own pages)
    hour_start  timestamp with time zone not null,
    event_type  varchar(12) not null,   -- as in message_event
    shard       smallint    not null,   -- 0-15: concurrent writers of one hour and key mostly update different rows
    event_count bigint      not null,
    primary key (account_id, hour_start, api_key_id, event_type, shard)
);
