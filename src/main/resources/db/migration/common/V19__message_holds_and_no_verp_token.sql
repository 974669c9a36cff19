-- A held message (D-12: its sub-account is inactive; later: its API key is paused) is marked HELD,
-- so no claim takes it and the queue shows it, and released back to QUEUED (ADR 0012). held_by says
-- what it is held for, so that a release releases only what was held for the same thing.
alter table message drop constraint message_status_known;
alter table message add constraint message_status_known
    check (status in ('QUEUED', 'HELD', 'DELIVERED', 'BOUNCED', 'SUPPRESSED', 'FAILED'));
alter table message add column held_by varchar(12);
alter table message add constraint message_held_by_known check (held_by in ('ACCOUNT', 'API_KEY'));

-- Return paths carry a per-recipient token (ADR 0009): the message-wide VERP token is no longer read.
alter table message drop constraint message_verp_unique;
alter table message drop column verp_token;
