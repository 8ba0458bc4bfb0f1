-- The materials an application was submitted with, kept with it (a list
-- of proto's attachment_info, msgpack): one row written per submission.
-- The materials table keeps those its later requests add (R10.3, R12.2).
ALTER TABLE applications ADD COLUMN materials_mp bytea;
