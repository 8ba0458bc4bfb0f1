-- review: review.get lists every duty of an application, open or closed
-- (ORDER BY opened_at, id); duties_app covers only the open ones, so that
-- read scanned the whole history (issue 14, make bench-scale).
CREATE INDEX duties_app_all ON duties (app_id, opened_at, id);
