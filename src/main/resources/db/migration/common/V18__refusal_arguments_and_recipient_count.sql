-- The named arguments of an import's refusal (for contact_allowance_exceeded: requested and available),
-- as a small JSON object beside its code, so each page states the refusal in its own language from the
-- numbers instead of reading them back out of the English message. Null for jobs finished before this
-- migration and for refusals without arguments.
alter table contact_import add column arguments varchar(1000);

-- How many recipients an ACCEPTED event covers, as a number the message page translates, instead of
-- the English "3 recipients" detail the queue writes beside it (the message's own recipients column
-- shrinks as recipients are delivered, so it cannot stand in). Earlier events get it from that detail,
-- which only the queue ever wrote, always as "<n> recipients".
alter table message_event add column recipient_count integer;
update message_event set recipient_count = cast(replace(detail, ' recipients', '') as integer)
    where event_type = 'ACCEPTED' and detail like '% recipients';
