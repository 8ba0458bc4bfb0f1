-- R11.3: the bureau reclaims idle resources.  A reclamation names the
-- lines taken back (reclaim_lines in proto) and the evidence; the unit may
-- object within a window of working days (a duty of the unit, what =
-- the reclaim_objection deadline, ref = reclaim_id: its due is the
-- window's last day), then the bureau decides.  States: the
-- RECLAIM_STATE list of proto/yjc_lifecycle.def.

CREATE SEQUENCE reclaim_seq;

CREATE TABLE reclamations (
    reclaim_id   text PRIMARY KEY,           -- H000001
    app_id       text NOT NULL REFERENCES applications (app_id),
    unit         text NOT NULL,
    state        text NOT NULL CHECK (yjc_is_reclaim_state(state)),
    lines_mp     bytea NOT NULL,             -- what is taken back
    evidence     text NOT NULL,              -- e.g. the idle figures
    proposed_by  text NOT NULL,
    proposed_at  timestamptz NOT NULL,
    objection    text,                       -- the unit's, once
    objected_by  text,
    objected_at  timestamptz,
    opinion      text,                       -- the bureau's decision
    decided_by   text,
    decided_at   timestamptz,
    CHECK ((objection IS NULL) = (objected_at IS NULL)),
    CHECK ((decided_at IS NULL) = (opinion IS NULL))
);

-- one reclamation open (not yet decided) per application at a time
CREATE UNIQUE INDEX reclamations_open ON reclamations (app_id)
    WHERE decided_at IS NULL;
CREATE INDEX reclamations_unit ON reclamations (unit, proposed_at);

-- What the application has in place now: the resources of its last
-- completed order (a change shrinks or grows them); NULL until then, and
-- the grant stands.  A reclamation can take back no more than this.
ALTER TABLE applications ADD COLUMN resources_mp bytea;
