-- review: the bureau's decisions on each application (R9), the unit's
-- requests after approval and the bureau's decisions on them (R10-R13),
-- and every bounded step someone owes, each with its deadline and the
-- rule that produced it.  Every state, kind and party is checked against
-- proto/yjc_lifecycle.def (the yjc_is_* functions, defined from it at
-- every start).  Baseline: later changes are numbered migrations on top.

CREATE TABLE applications (
    app_id        text PRIMARY KEY,
    unit          text NOT NULL,
    project       text NOT NULL,
    asked_mp      bytea NOT NULL,        -- the resources asked for
    granted_mp    bytea,                 -- R9.2, R11.2 what was granted
    state         text NOT NULL CHECK (yjc_is_state(state)),
    number        text UNIQUE,           -- R9.1 永府办政云管审（YYYY）第 N 号
    submitted_at  timestamptz NOT NULL,
    accept_due    date,                  -- R9.1
    accept_rule   text,
    decide_due    date,                  -- R9.2
    decide_rule   text,
    opinion       text,
    updated_at    timestamptz NOT NULL
);

CREATE INDEX applications_state ON applications (state);

-- Every decision, by whom, with its opinion: the bureau's own record.
CREATE TABLE decisions (
    id      bigserial PRIMARY KEY,
    app_id  text NOT NULL REFERENCES applications (app_id),
    action  text NOT NULL,
    actor   text NOT NULL,
    opinion text,
    at      timestamptz NOT NULL
);

-- R9.1 the official number's counter, one gapless sequence per year: the
-- row is locked by the transaction that takes a number, so a rolled-back
-- acceptance gives its number back and concurrent ones queue.
CREATE TABLE numbering (
    year int PRIMARY KEY,
    last int NOT NULL
);

CREATE TABLE requests (
    request_id      text PRIMARY KEY,        -- intake's, e.g. R000007
    app_id          text NOT NULL REFERENCES applications (app_id),
    unit            text NOT NULL,
    kind            text NOT NULL CHECK (yjc_is_request_kind(kind)),
    state           text NOT NULL CHECK (yjc_is_request_state(state)),
    detail_mp       bytea NOT NULL,          -- the request as announced
    emergency_order text,                    -- R12.3 paperwork of it
    submitted_at    timestamptz NOT NULL,
    decided_at      timestamptz,
    opinion         text,
    granted_mp      bytea
);

CREATE INDEX requests_app ON requests (app_id, submitted_at);

-- A bounded step someone owes besides the decision on the application:
-- the bureau its decision on a request, the unit the end of its test
-- (R10.2) or the paperwork of an emergency change (R12.3).  `what` is a
-- deadline of the lifecycle; a duty closes when it is done, or when its
-- application ends (closed_why).
CREATE TABLE duties (
    id         bigserial PRIMARY KEY,
    app_id     text NOT NULL REFERENCES applications (app_id),
    unit       text NOT NULL,
    what       text NOT NULL CHECK (yjc_is_deadline(what)),
    ref        text NOT NULL,                -- request, order or app id
    owed_by    text NOT NULL CHECK (yjc_is_party(owed_by)),
    due        date,
    rule       text,
    opened_at  timestamptz NOT NULL,
    closed_at  timestamptz,
    closed_why text CHECK (yjc_is_duty_end(closed_why)),
    UNIQUE (what, ref),
    CHECK ((closed_at IS NULL) = (closed_why IS NULL))
);

CREATE INDEX duties_open ON duties (due) WHERE closed_at IS NULL;
CREATE INDEX duties_app ON duties (app_id) WHERE closed_at IS NULL;
