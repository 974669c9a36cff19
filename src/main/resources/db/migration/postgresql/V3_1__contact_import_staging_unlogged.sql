-- Staging rows are rebuilt from the uploaded file if lost: no need to write them to the WAL.
alter table contact_import_row set unlogged;
create index contact_name_search on contact (account_id, lower(name) varchar_pattern_ops);
