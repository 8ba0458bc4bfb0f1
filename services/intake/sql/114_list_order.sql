-- intake: application.list of the bureau (every unit) reads the newest
-- first, ORDER BY submitted_at DESC, app_id DESC LIMIT n: from this index,
-- not by sorting the whole history (issue 14, make bench-scale).
CREATE INDEX applications_submitted ON applications (submitted_at, app_id);
