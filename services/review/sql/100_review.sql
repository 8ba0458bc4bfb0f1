-- review: the bureau's decisions on each application (R9) and the
-- deadlines the regulation sets for them, each stored with its rule.

CREATE TABLE applications (
    app_id        text PRIMARY KEY,
    unit          text NOT NULL,
    project       text NOT NULL,
    form_mp       bytea NOT NULL,        -- what was asked
    state         text NOT NULL,
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
