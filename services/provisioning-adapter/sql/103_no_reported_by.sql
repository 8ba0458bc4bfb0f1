-- Who reported an emergency is in its event (emergency.reported) and in
-- the order's state (a vendor's own report starts acknowledged); the
-- column 101 added was never written.
ALTER TABLE orders DROP COLUMN reported_by;
