-- What the bureau granted on approval (R9.2, R11.2), beside what was asked.
ALTER TABLE applications ADD COLUMN granted_mp bytea;
