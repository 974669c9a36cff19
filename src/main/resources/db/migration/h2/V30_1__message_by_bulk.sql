-- H2 has no partial indexes.
create index message_by_bulk on message (bulk_id, status);
