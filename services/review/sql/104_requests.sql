-- review: the unit's requests after approval (R10.2 extension, R11.1
-- go-live, R12 change, R13 termination) and the bureau's decisions on
-- them; and every other bounded step owed by someone (duties), each with
-- its deadline and the rule that produced it.

CREATE TABLE requests (
    request_id      text PRIMARY KEY,        -- intake's, e.g. R000007
    app_id          text NOT NULL REFERENCES applications (app_id),
    unit            text NOT NULL,
    kind            text NOT NULL
                    CHECK (kind IN ('extend_test', 'go_live', 'change',
                                    'terminate')),
    state           text NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'approved', 'rejected')),
    detail_mp       bytea NOT NULL,          -- the request as announced
    emergency_order text,                    -- R12.3 paperwork of it
    submitted_at    timestamptz NOT NULL,
    decided_at      timestamptz,
    opinion         text,
    granted_mp      bytea
);

CREATE INDEX requests_app ON requests (app_id, submitted_at);

-- A bounded step someone owes: the bureau its decision on a request, the
-- unit the end of its test (R10.2) or the paperwork of an emergency
-- change (R12.3).
CREATE TABLE duties (
    id        bigserial PRIMARY KEY,
    app_id    text NOT NULL REFERENCES applications (app_id),
    unit      text NOT NULL,
    what      text NOT NULL,                 -- decide_request, test_end,
                                             -- paperwork
    ref       text NOT NULL,                 -- request, or order id
    owed_by   text NOT NULL CHECK (owed_by IN ('bureau', 'unit')),
    due       date,
    rule      text,
    opened_at timestamptz NOT NULL,
    closed_at timestamptz,
    UNIQUE (what, ref)
);

CREATE INDEX duties_open ON duties (due) WHERE closed_at IS NULL;
