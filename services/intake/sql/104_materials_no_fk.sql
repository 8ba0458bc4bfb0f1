-- Every application of a unit may name the same files (its plans): a
-- foreign key would take a share lock on those rows in every submission,
-- and concurrent ones would queue on multixacts.  Files are never deleted
-- or changed once complete, and application.submit checks in its own
-- transaction that each is the unit's and complete (attachments_check).
ALTER TABLE materials DROP CONSTRAINT materials_att_id_fkey;
-- The same for the application: its row is written by the same handler
-- just before, in the same transaction (and the check per material row
-- costs a query each).
ALTER TABLE materials DROP CONSTRAINT materials_app_id_fkey;
