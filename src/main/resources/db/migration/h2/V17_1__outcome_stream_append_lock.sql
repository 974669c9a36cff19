-- On H2 (one node) events are appended under a lock on this row, held until commit, so event ids
-- become visible in id order and a consumer may read up to the last id it sees (ADR 0010).
create table event_append_lock (id integer primary key);
insert into event_append_lock (id) values (1);
