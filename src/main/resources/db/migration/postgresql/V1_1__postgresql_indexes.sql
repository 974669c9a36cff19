-- PostgreSQL only: the dispatcher scans only unsent mail, so a partial index keeps it small.
create index system_mail_unsent on system_mail (next_attempt_at) where sent_at is null;
