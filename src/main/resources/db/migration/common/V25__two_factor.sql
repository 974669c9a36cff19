-- Two-factor sign-in with TOTP (RFC 6238), ADR 0019. Owned by the access module.
-- One row per person who started enrolling; enabled_at is set once a code confirmed the secret.
create table two_factor (
    user_id     uuid        primary key references app_user (id),
    secret      varchar(64) not null,          -- base32 TOTP secret
    created_at  timestamp with time zone not null,
    enabled_at  timestamp with time zone,
    -- the last time step a code was accepted for: a code is good once, even within its 30 s
    last_step   bigint
);

-- Recovery codes, shown once at enrolment, kept as SHA-256 digests (they are long random values).
create table two_factor_recovery_code (
    user_id     uuid        not null references app_user (id),
    code_hash   varchar(64) not null,
    used_at     timestamp with time zone,
    primary key (user_id, code_hash)
);

-- Accounts whose owner requires two-factor sign-in of everyone with access to them.
create table two_factor_requirement (
    account_id  uuid         primary key references account (id),
    required_by varchar(254) not null,
    required_at timestamp with time zone not null
);
