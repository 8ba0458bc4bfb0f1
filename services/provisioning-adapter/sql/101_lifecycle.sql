-- provisioning adapter: every kind of order of the lifecycle (R10-R13),
-- what each application has in place, and when its data is purged.

ALTER TABLE orders ADD COLUMN request_id text;   -- the request decided
ALTER TABLE orders ADD COLUMN reported_by text;  -- emergency: unit|vendor
ALTER TABLE orders ADD CONSTRAINT orders_kind CHECK
    (kind IN ('test_env', 'go_live', 'change', 'emergency', 'terminate',
              'purge'));

-- What each application has in place, as the completed orders left it.
CREATE TABLE apps (
    app_id       text PRIMARY KEY,
    unit         text NOT NULL,
    stage        text NOT NULL              -- approved, test, production,
                 CHECK (stage IN ('approved', 'test', 'production',
                                  'terminated', 'purged')),
    resources_mp bytea NOT NULL,
    updated_at   timestamptz NOT NULL
);

-- R13.2: the data of a terminated system is kept 3 months, then purged.
-- The purge order is created on purge_on, never before (the tick).
CREATE TABLE retention (
    app_id        text PRIMARY KEY REFERENCES apps (app_id),
    terminated_at timestamptz NOT NULL,
    purge_on      date NOT NULL,
    rule          text NOT NULL,
    purge_order   text                      -- once ordered
);

-- Applications ordered before this migration.
INSERT INTO apps (app_id, unit, stage, resources_mp, updated_at)
SELECT app_id, unit, CASE state WHEN 'done' THEN 'test' ELSE 'approved' END,
       resources_mp, created_at
  FROM orders WHERE kind = 'test_env' ON CONFLICT DO NOTHING;
