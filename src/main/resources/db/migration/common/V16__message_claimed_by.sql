-- The node that last claimed a message (its lease is lease_until), by its node id. A node that
-- restarts after a crash releases the leases it held itself, instead of waiting them out before
-- delivering what it had claimed. Only read at start, among the queued rows (the message_due index).
alter table message add column claimed_by varchar(64);
