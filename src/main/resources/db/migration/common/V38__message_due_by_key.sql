-- D-20, ADR 0029: the claim takes one priority at a time and walks its keys in turn, each key's due mail
-- oldest first, so the due index has the key between the priority and the due time. The probe for the
-- lowest claimable priority reads the same index's prefix (status, priority).
drop index message_due;
create index message_due on message (status, priority, api_key_id, next_attempt_at, id);
