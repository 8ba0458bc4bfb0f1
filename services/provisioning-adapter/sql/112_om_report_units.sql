-- R16 (issue 13): the quarterly O&M report is owed to each unit with a
-- running system, so a delivery names its unit ('' for the county-wide
-- obligations and for the deliveries made before) and carries the
-- utilization table the vendor confirms or corrects, line by line.  One
-- delivery in force per code, period and unit.

ALTER TABLE obligation_submissions
    ADD COLUMN unit text NOT NULL DEFAULT '',
    ADD COLUMN utilization jsonb;

ALTER TABLE obligation_submissions
    DROP CONSTRAINT obligation_submissions_code_period_version_key;
ALTER TABLE obligation_submissions
    ADD CONSTRAINT obligation_submissions_unit_version_key
    UNIQUE (code, period, unit, version);

DROP INDEX obligation_in_force;
CREATE UNIQUE INDEX obligation_in_force
    ON obligation_submissions (code, period, unit) WHERE replaced_by IS NULL;
