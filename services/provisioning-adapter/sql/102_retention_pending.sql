-- A purge date falls in a year the working-day calendar does not cover
-- yet (it depends on whether that day is a working day): it stays open,
-- the data is kept, and the tick computes it once the calendar covers it.
ALTER TABLE retention ALTER COLUMN purge_on DROP NOT NULL;
