-- H2 has no unlogged tables or expression indexes; the common schema serves.
select 1;
