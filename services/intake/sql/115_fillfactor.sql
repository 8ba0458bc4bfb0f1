-- intake: an application's row is rewritten at every step the other
-- services announce (state, number, period), none of them a column an
-- index holds: with room left on its page the new version stays there
-- (a HOT update: no new entry in any of the four indexes, a smaller WAL
-- record).  Issue 14: about six updates per approval.
ALTER TABLE applications SET (fillfactor = 70);
