-- R14.1: the usage period as provisioning announces it (period.scheduled):
-- its last day after the day-off shift, the notice day (R14.2), and
-- whether they rest on a provisional year (暂定).
ALTER TABLE applications
    ADD COLUMN period_to date,
    ADD COLUMN period_notice date,
    ADD COLUMN period_provisional boolean NOT NULL DEFAULT false;
