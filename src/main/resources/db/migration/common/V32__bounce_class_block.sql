-- A third bounce class, BLOCK: a permanent refusal by policy (RFC 3463 X.7.x: spam, DMARC, reputation),
-- which fails that copy but, unlike HARD, does not suppress the address. Widening a varchar is a
-- catalogue change on PostgreSQL (no table rewrite).
alter table message_event alter column bounce_class set data type varchar(10);
