-- provisioning adapter: the vendor's queue (R7, R10-R13).  Only a bureau
-- decision creates an order (R12.3's emergency report aside); each order
-- has a stable id the vendor uses to acknowledge and report it, so that
-- retries change nothing.  Kinds and states are checked against
-- proto/yjc_lifecycle.def (the yjc_is_* functions, defined from it at
-- every start).  Baseline: later changes are numbered migrations on top.

CREATE SEQUENCE order_seq;

CREATE TABLE orders (
    order_id     text PRIMARY KEY,          -- e.g. O000007
    app_id       text NOT NULL,
    unit         text NOT NULL,
    kind         text NOT NULL CHECK (yjc_is_order_kind(kind)),
    state        text NOT NULL CHECK (yjc_is_order_state(state)),
    resources_mp bytea NOT NULL,            -- what was granted
    due          date,                      -- the vendor's deadline
    due_rule     text,
    cause_event  text NOT NULL UNIQUE,      -- what produced it, once
    request_id   text,                      -- the request decided
    created_at   timestamptz NOT NULL,
    acked_at     timestamptz,
    closed_at    timestamptz,
    built_mp     bytea,                     -- the vendor's report
    reason       text
);

CREATE INDEX orders_open ON orders (created_at) WHERE closed_at IS NULL;

-- What each application has in place, as the completed orders left it.
CREATE TABLE apps (
    app_id       text PRIMARY KEY,
    unit         text NOT NULL,
    state        text NOT NULL CHECK (yjc_is_state(state)),
    resources_mp bytea NOT NULL,
    updated_at   timestamptz NOT NULL
);

-- R13.2: the data of a terminated system is kept 3 months, to 24:00 of
-- kept_until; the purge is ordered from the next day (the tick), never
-- before.  kept_until stays open while it falls in a year the calendar
-- does not cover (it depends on whether that day is a working day).
CREATE TABLE retention (
    app_id        text PRIMARY KEY REFERENCES apps (app_id),
    terminated_at timestamptz NOT NULL,
    kept_until    date,
    rule          text NOT NULL,
    purge_order   text                      -- once ordered
);
