-- provisioning adapter: the vendor's queue (R7, R10).  Only a bureau
-- decision creates an order; each order has a stable id the vendor uses
-- to acknowledge and report it, so that retries change nothing.

CREATE SEQUENCE order_seq;

CREATE TABLE orders (
    order_id     text PRIMARY KEY,          -- e.g. O000007
    app_id       text NOT NULL,
    unit         text NOT NULL,
    kind         text NOT NULL,             -- test_env
    state        text NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'acknowledged', 'done', 'failed')),
    resources_mp bytea NOT NULL,            -- what was granted
    due          date,                      -- R10.1
    due_rule     text,
    cause_event  text NOT NULL UNIQUE,      -- the decision that produced it
    created_at   timestamptz NOT NULL,
    acked_at     timestamptz,
    closed_at    timestamptz,
    built_mp     bytea,                     -- the vendor's report
    reason       text
);

CREATE INDEX orders_open ON orders (created_at) WHERE state IN ('pending', 'acknowledged');
