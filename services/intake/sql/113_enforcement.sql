-- intake: the enforcement measure in force (R18), as the vendor carried it
-- out (order.completed of an ENFORCED order; NULL again once a lift order
-- is completed), so that `list` shows it next to the state.
ALTER TABLE applications ADD COLUMN enforcement text;

-- R15: the files a unit's problem report names reach the vendor, who
-- reads them with attachment.get; the vendor reads no other file.
CREATE TABLE vendor_shares (
    att_id     text NOT NULL REFERENCES attachments (att_id),
    problem_id text NOT NULL,
    PRIMARY KEY (att_id, problem_id)
);
