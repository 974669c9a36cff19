-- A/B tests of campaigns (ADR 0031). A campaign of an A/B-test e-mail sends its test share first, split
-- across the variants, waits, judges the winner from the per-variant counters, then sends the rest the
-- winner. The phase says where it stands: TEST (fanning out the test share), WAITING (until
-- ab_judge_at), REST (fanning out the others with ab_winner); null for a campaign without a test.
alter table campaign add column ab_phase       varchar(8);
alter table campaign add column ab_percent     integer;
alter table campaign add column ab_rule        varchar(8);
alter table campaign add column ab_wait_hours  integer;
alter table campaign add column ab_judge_at    timestamp with time zone;
alter table campaign add column ab_winner      integer;
alter table campaign add column ab_tie         boolean;
alter table campaign add column ab_judged_at   timestamp with time zone;
alter table campaign add constraint campaign_ab_phase_known check (ab_phase in ('TEST', 'WAITING', 'REST'));

-- The variants as they were when the campaign was created (null parts inherit the campaign's own),
-- their counters (moved by the campaigns.reports consumer from the events of the variant's messages)
-- and, once judged, the figures the judgement read: why the winner won.
create table campaign_variant (
    campaign_id     bigint       not null,
    variant_index   integer      not null,   -- 0 is A, 1 is B, ...
    account_id      uuid         not null,
    subject         varchar(300),
    from_name       varchar(100),
    html            varchar(500000),
    sent            bigint       default 0 not null,
    delivered       bigint       default 0 not null,
    opens_unique    bigint       default 0 not null,
    opens_total     bigint       default 0 not null,
    clicks_unique   bigint       default 0 not null,
    clicks_total    bigint       default 0 not null,
    judged_sent     bigint,                  -- the test messages the variant had when judged
    judged_count    bigint,                  -- its unique opens or clicks (the rule's) when judged
    primary key (campaign_id, variant_index)
);

-- Delivery's side: which variant of its bulk send a message is (null: not a test-share message), read
-- with the message into the outcome stream so the report consumer counts per variant without a lookup.
alter table message add column bulk_variant integer;
