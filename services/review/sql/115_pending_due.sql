-- review: review.pending and review.overdue read the steps owed in
-- deadline order, one branch per state (review.c S_OVERDUE_SQL), each from
-- an index in that order, so ORDER BY due, app_id LIMIT n stops after n
-- rows instead of sorting every open step (issue 14, make bench-scale).
-- The state leads, so these serve every lookup by state as well.
CREATE INDEX applications_accept_due ON applications (state, accept_due, app_id);
CREATE INDEX applications_decide_due ON applications (state, decide_due, app_id);
DROP INDEX applications_state;
CREATE INDEX duties_open_due ON duties (due, app_id) WHERE closed_at IS NULL;
DROP INDEX duties_open;
-- the open duties of an application are found by duties_app_all (114);
-- left alone, the planner took duties_app for the list too and sorted
-- every open duty
DROP INDEX duties_app;
