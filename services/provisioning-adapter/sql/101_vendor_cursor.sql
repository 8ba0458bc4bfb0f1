-- The vendor's cursor (proto/README.md §8.3): every change of an order
-- (created, acknowledged, closed, re-ordered, its deadline moved) takes
-- the next number of one sequence, so `order.fetch` can answer "what
-- changed after N" and wait when nothing did, whatever is still open.
--
-- A cursor is safe only if numbers become visible in the order they are
-- taken: writers of orders hold orders_change_lock() to their commit, so
-- a reader that sees number N sees every number below it.  Take the lock
-- first in a transaction that changes orders (before any row lock of
-- orders, apps or retention), or two writers may deadlock; the trigger
-- takes it too, so no change escapes the sequence.  Every instance of
-- the adapter on this database shares the sequence and the lock.

CREATE SEQUENCE order_change_seq;

CREATE FUNCTION orders_change_lock() RETURNS void LANGUAGE sql AS
$$ SELECT pg_advisory_xact_lock(hashtext('yjc:orders:changes')) $$;

ALTER TABLE orders
    ADD COLUMN changed_seq bigint,
    ADD COLUMN replaces    text,       -- the failed order a re-order replaces
    ADD COLUMN opinion     text;       -- the bureau's opinion on a re-order

-- orders already there: numbered in the order they were created
UPDATE orders o SET changed_seq = n.seq
  FROM (SELECT order_id, nextval('order_change_seq') AS seq
          FROM (SELECT order_id FROM orders ORDER BY created_at, order_id) s) n
 WHERE o.order_id = n.order_id;

ALTER TABLE orders ALTER COLUMN changed_seq SET NOT NULL;
CREATE UNIQUE INDEX orders_changed ON orders (changed_seq);
CREATE UNIQUE INDEX orders_replaces ON orders (replaces);

CREATE FUNCTION orders_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM orders_change_lock();
    NEW.changed_seq := nextval('order_change_seq');
    RETURN NEW;
END $$;

CREATE TRIGGER orders_bump BEFORE INSERT OR UPDATE ON orders
    FOR EACH ROW EXECUTE FUNCTION orders_bump();
