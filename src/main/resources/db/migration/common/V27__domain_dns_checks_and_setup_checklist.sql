-- Two tables of issue 14: the DNS checks of sending domains (delivery) and the dismissed setup checklists (onboarding).
-- What the last DNS check of a sending domain found, record by record (ADR 0021): the check that
-- "Check now" and the periodic re-check run writes every row of the domain again, with its time.

alter table sending_domain add column dns_checked_at timestamp with time zone;

create table sending_domain_check (
    domain_id  bigint        not null references sending_domain (id) on delete cascade,
    purpose    varchar(20)   not null,          -- DKIM | DKIM-ED25519 | SPF | DMARC | RETURN-PATH
    status     varchar(10)   not null,          -- VERIFIED | MISSING | WRONG | FAILED (the lookup itself failed)
    name       varchar(300)  not null,          -- the DNS name looked up
    expected   varchar(1000) not null,          -- what was looked for, as the page explains it
    found      varchar(2000),                   -- what the DNS answered at that name (null: nothing)
    checked_at timestamp with time zone not null,
    constraint sending_domain_check_pk primary key (domain_id, purpose),
    constraint sending_domain_check_status_known check (status in ('VERIFIED', 'MISSING', 'WRONG', 'FAILED'))
);

create index sending_domain_by_dns_check on sending_domain (dns_checked_at);

-- The setup checklist on the home page (onboarding): an account that dismissed it no longer sees it.
create table setup_checklist_dismissal (
    account_id   uuid primary key references account (id),
    dismissed_at timestamp with time zone not null
);
