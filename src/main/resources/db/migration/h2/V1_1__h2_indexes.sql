-- H2 has no partial indexes; the common (sent_at, next_attempt_at) index serves the dispatcher.
select 1;
