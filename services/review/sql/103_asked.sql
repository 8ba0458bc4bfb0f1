-- Review keeps what it decides on: the resources asked for (the form
-- itself stays with intake).
ALTER TABLE applications RENAME COLUMN form_mp TO asked_mp;
