-- Campaign tracking (ADR 0027): opens, clicks and unsubscribes enter the outcome stream as events of
-- the message they are about, so webhooks and reports read the same events.
-- The link a CLICKED event is about (its index among the campaign's links), and whether an OPENED
-- event looks like a machine's (a privacy proxy's prefetch, a scanner) rather than a person's.
alter table message_event add column link_index integer;
alter table message_event add column machine boolean;

-- The links of a campaign's HTML, numbered when the campaign is created. A click token names an index
-- and a hash of the URL; the redirect goes only to the URL stored here, never to one from the request.
create table campaign_link (
    campaign_id bigint        not null,
    link_index  integer       not null,
    account_id  uuid          not null,
    url         varchar(2000) not null,      -- as written in the HTML (entities unescaped)
    url_hash    varchar(16)   not null,      -- carried by the click token: a changed link stops redirecting
    primary key (campaign_id, link_index)
);

-- A campaign's report: counters kept by the campaigns.reports consumer of the outcome stream, moved
-- in the batch's transaction, never recounted. position_* is the last event counted for this
-- campaign: an event at or before it is skipped, so a replay counts nothing twice.
create table campaign_report (
    campaign_id          bigint  primary key,
    account_id           uuid    not null,
    sent                 bigint  default 0 not null,
    delivered            bigint  default 0 not null,
    opens_total          bigint  default 0 not null,
    opens_unique         bigint  default 0 not null,
    machine_opens_total  bigint  default 0 not null,
    machine_opens_unique bigint  default 0 not null,
    clicks_total         bigint  default 0 not null,
    clicks_unique        bigint  default 0 not null,
    unsubscribes         bigint  default 0 not null,
    hard_bounces         bigint  default 0 not null,
    soft_bounces         bigint  default 0 not null,
    complaints           bigint  default 0 not null,
    position_tx          bigint  default 0 not null,
    position_id          bigint  default 0 not null,
    updated_at           timestamp with time zone not null
);
create index campaign_report_by_account on campaign_report (account_id, campaign_id);

-- Who has done what once, per campaign, so unique counts stay counters (an address is one recipient:
-- the fan-out de-duplicates by address).
create table campaign_report_recipient (
    campaign_id    bigint       not null,
    recipient      varchar(254) not null,
    account_id     uuid         not null,
    opened         boolean      default false not null,
    machine_opened boolean      default false not null,
    clicked        boolean      default false not null,
    unsubscribed   boolean      default false not null,
    primary key (campaign_id, recipient)
);

-- Clicks per link: totals, and who clicked it once (for the unique count).
create table campaign_report_link (
    campaign_id   bigint  not null,
    link_index    integer not null,
    account_id    uuid    not null,
    clicks_total  bigint  default 0 not null,
    clicks_unique bigint  default 0 not null,
    primary key (campaign_id, link_index)
);
create table campaign_report_link_click (
    campaign_id bigint       not null,
    link_index  integer      not null,
    recipient   varchar(254) not null,
    primary key (campaign_id, link_index, recipient)
);

-- The report's charts: what happened per hour.
create table campaign_report_hour (
    campaign_id   bigint  not null,
    hour_start    timestamp with time zone not null,
    account_id    uuid    not null,
    delivered     bigint  default 0 not null,
    opens         bigint  default 0 not null,
    machine_opens bigint  default 0 not null,
    clicks        bigint  default 0 not null,
    unsubscribes  bigint  default 0 not null,
    bounces       bigint  default 0 not null,
    complaints    bigint  default 0 not null,
    primary key (campaign_id, hour_start)
);
