-- provisioning: order.overdue reads the open orders in deadline order
-- (ORDER BY due, order_id LIMIT n) from this index, stopping after n rows
-- instead of sorting every open order (issue 14, make bench-scale).  It
-- replaces orders_open (created_at, same rows): no query orders the open
-- ones by creation, and with both the planner scanned that one and sorted.
CREATE INDEX orders_open_due ON orders (due, order_id) WHERE closed_at IS NULL;
DROP INDEX orders_open;
