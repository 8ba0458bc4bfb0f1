-- The official number review gives on acceptance, shown to the unit.
ALTER TABLE applications ADD COLUMN number text;
