-- audit: a notification no longer names its event through a foreign key
-- (issue 14).  Both are written by the same transaction of this service
-- (notify.c derives the notifications of the events chain.c stores), so
-- the key could only ever hold; checking it locked the event's row
-- (FOR KEY SHARE) for every notification: one more statement, a rewritten
-- row header and a WAL record each, on the path of every event.
ALTER TABLE notifications DROP CONSTRAINT notifications_event_id_fkey;
