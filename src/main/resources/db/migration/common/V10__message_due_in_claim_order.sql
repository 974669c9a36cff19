-- The claim reads due messages in (next_attempt_at, id) order and stops after a batch: an index in
-- exactly that order lets it stop early however long the backlog is, instead of sorting the backlog.
drop index message_due;
create index message_due on message (status, next_attempt_at, id);
