-- intake: the enforcement measure in force (R18), as the vendor carried it
-- out (order.completed of an ENFORCED order; NULL again once a lift order
-- is completed), so that `list` shows it next to the state.
ALTER TABLE applications ADD COLUMN enforcement text;
