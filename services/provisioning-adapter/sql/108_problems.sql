-- R15 problem reports: a unit reports a problem of its own system; the
-- vendor takes it from its queue (problem.fetch), acknowledges it and
-- resolves it with a note.  The times of each step are kept, so the
-- time to acknowledge and to resolve can be shown.
--
-- The vendor's cursor over problems works as the one over orders
-- (101_vendor_cursor.sql): every change takes the next number of one
-- sequence while holding problems_change_lock() to its commit, so a
-- reader that sees number N sees every number below it.  Writers take
-- the lock first, before any row lock.

CREATE SEQUENCE problem_seq;
CREATE SEQUENCE problem_change_seq;

CREATE FUNCTION problems_change_lock() RETURNS void LANGUAGE sql AS
$$ SELECT pg_advisory_xact_lock(hashtext('yjc:problems:changes')) $$;

CREATE TABLE problems (
    problem_id  text PRIMARY KEY,            -- e.g. P000001
    app_id      text NOT NULL,
    unit        text NOT NULL,
    severity    text NOT NULL
                CHECK (severity IN ('urgent', 'high', 'normal', 'low')),
    text        text NOT NULL,
    attachments text[] NOT NULL DEFAULT '{}', -- intake's F…, references only
    cause       text NOT NULL UNIQUE,        -- reporter and report_key, once
    reported_by text NOT NULL,
    state       text NOT NULL DEFAULT 'reported'
                CHECK (state IN ('reported', 'acknowledged', 'resolved')),
    reported_at timestamptz NOT NULL,
    acked_at    timestamptz,
    acked_by    text,
    resolved_at timestamptz,
    resolved_by text,
    note        text,
    changed_seq bigint NOT NULL
);

CREATE UNIQUE INDEX problems_changed ON problems (changed_seq);
CREATE INDEX problems_open ON problems (reported_at) WHERE state <> 'resolved';
CREATE INDEX problems_unit ON problems (unit, reported_at);

CREATE FUNCTION problems_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM problems_change_lock();
    NEW.changed_seq := nextval('problem_change_seq');
    RETURN NEW;
END $$;

CREATE TRIGGER problems_bump BEFORE INSERT OR UPDATE ON problems
    FOR EACH ROW EXECUTE FUNCTION problems_bump();
