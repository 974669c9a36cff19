-- Only campaign mail carries a bulk id: a partial index costs the transactional send path nothing.
create index message_by_bulk on message (bulk_id, status) where bulk_id is not null;
