-- web: the console's sign-in record (issue 16).  One row per sign-in,
-- failure, throttled attempt, sign-out and idle end, written in the same
-- transaction as its event in the outbox (services/web/record.c), so
-- neither exists without the other.  account is the name tried (it may
-- name no account).

CREATE TABLE signins (
    id       bigserial PRIMARY KEY,
    type     text NOT NULL,            -- the event's wire type (web.*)
    account  text NOT NULL,
    address  text NOT NULL,
    at       timestamptz NOT NULL
);

CREATE INDEX signins_account ON signins (account, at);
