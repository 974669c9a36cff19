-- Whether a message came in over SMTP submission: its body is the client's bytes, not Mailtree's own,
-- so its DKIM signature canonicalises the body "relaxed" whatever the default (ADR 0007).
alter table message add column via_smtp boolean default false not null;
