-- R14.1, R14.3: the usage period the form asked for (whole months, else
-- days) and its choice on expiry (过期顺延 / 过期停止服务), sent to
-- provisioning with the approval (application.approved's usage).
ALTER TABLE applications
    ADD COLUMN usage_months int,
    ADD COLUMN usage_days int,
    ADD COLUMN on_expiry text;
