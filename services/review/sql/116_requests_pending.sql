-- review: review.requests lists the requests waiting for the bureau's
-- decision, oldest first (the console's queue, issue 16): read in that
-- order from this index and stopped at the limit, whatever the number
-- of decided requests.
CREATE INDEX requests_pending ON requests (submitted_at, request_id)
    WHERE state = 'pending';
