-- R18, R19: inspections and their findings, the unit's rectification and
-- the bureau's enforcement of a major finding not rectified in time; the
-- unit's security staff and MLPS level (R19) next to the application.
-- A finding's rectification is a duty of the unit (what = the rectify
-- deadline, ref = finding_id: its due is the finding's last day).

ALTER TABLE applications
    ADD COLUMN security_name  text,         -- R19 from the form, then updated
    ADD COLUMN security_phone text,
    ADD COLUMN mlps           text,         -- R19 the form's 等保定级
    ADD COLUMN enforcement    text,         -- R18 the measure (an order kind)
    ADD COLUMN enforcement_state text
        CHECK (enforcement_state IN ('issued', 'in_force', 'lifting')),
    ADD CHECK ((enforcement IS NULL) = (enforcement_state IS NULL));

CREATE SEQUENCE inspection_seq;
CREATE SEQUENCE finding_seq;

CREATE TABLE inspections (
    inspection_id text PRIMARY KEY,           -- N000001
    inspected_on  date NOT NULL,
    authority     text NOT NULL,              -- with whom (R18)
    scope         text NOT NULL,
    recorded_by   text NOT NULL,
    recorded_at   timestamptz NOT NULL
);

CREATE TABLE findings (
    finding_id    text PRIMARY KEY,           -- F000001
    inspection_id text NOT NULL REFERENCES inspections (inspection_id),
    app_id        text NOT NULL REFERENCES applications (app_id),
    unit          text NOT NULL,
    severity      text NOT NULL CHECK (severity IN ('major', 'minor')),
    text          text NOT NULL,
    days          int NOT NULL CHECK (days > 0),
    due           date,                       -- the rectification's
    state         text NOT NULL CHECK (state IN ('open', 'rectified',
                                                 'returned', 'passed')),
    rectification text,                       -- the unit's last report
    attachments   text[],
    rectified_at  timestamptz,
    opinion       text,                       -- the bureau's last word
    decided_at    timestamptz,
    accepted_at   timestamptz,
    enforcement   text,                       -- R18 the measure ordered
    enforced_at   timestamptz,
    lifted_at     timestamptz,
    created_at    timestamptz NOT NULL
);

CREATE INDEX findings_unit ON findings (unit, created_at);
CREATE INDEX findings_app ON findings (app_id);
