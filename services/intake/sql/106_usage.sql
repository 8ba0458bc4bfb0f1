-- R14.1, R11.1: the usage period runs from the conversion to production,
-- as long as the form asked (1-3 years).  Its end (and the expiry notices
-- of R14.2) is computed with the calendar of that year.
ALTER TABLE applications ADD COLUMN usage_from date;
ALTER TABLE applications ADD COLUMN usage_months int;   -- 0: not whole months
ALTER TABLE applications ADD COLUMN usage_days int;
