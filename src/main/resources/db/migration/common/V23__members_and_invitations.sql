-- Shared access (D-21 … D-24): a person may hold grants on several accounts. The owner of an account
-- keeps its app_user row (role OWNER); every collaborator's grant is a membership row, read on every
-- request so a change or a revocation applies at once.
alter table app_user add column display_name varchar(200);

create table membership (
    account_id      uuid         not null references account (id),
    user_id         uuid         not null references app_user (id),
    permissions     varchar(400) not null,           -- comma-separated Permission names
    invited_by      varchar(254) not null,           -- the inviter's e-mail or API public key, as audited
    created_at      timestamp with time zone not null,
    changed_at      timestamp with time zone not null,
    last_active_at  timestamp with time zone,
    primary key (account_id, user_id)
);

create index membership_by_user on membership (user_id, account_id);

create table invitation (
    id              uuid         primary key,
    account_id      uuid         not null references account (id),
    email           varchar(254) not null,
    email_key       varchar(254) not null,
    permissions     varchar(400) not null,
    invited_by      varchar(254) not null,
    -- a fresh random value at every send; the e-mailed link is bound to it, so a resent, cancelled or
    -- accepted invitation's older links stop working (single use)
    link_nonce      varchar(64),
    created_at      timestamp with time zone not null,
    sent_at         timestamp with time zone not null,
    expires_at      timestamp with time zone not null,
    accepted_at     timestamp with time zone,
    cancelled_at    timestamp with time zone
);

create index invitation_by_account on invitation (account_id, created_at);

-- Sign-in throttling shared by every node (it was per node): one row per bucket (login, address, or
-- the pair), its failure count and last failure; an aged row counts as empty and is deleted later.
create table login_failure (
    bucket          varchar(340) primary key,
    failures        integer      not null,
    last_failure_at timestamp with time zone not null
);

create index login_failure_by_age on login_failure (last_failure_at);
