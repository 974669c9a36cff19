-- Staging rows are rebuilt from the uploaded file if lost: no need to write them to the WAL.
alter table contact_import_row set unlogged;
