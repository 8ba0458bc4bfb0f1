-- The official number an application gets on acceptance (受理):
-- 永府办政云管审（YYYY）第 N 号, one gapless sequence per year.  The counter
-- row is locked by the transaction that takes a number, so a rolled-back
-- acceptance gives its number back and concurrent ones queue.

CREATE TABLE numbering (
    year int PRIMARY KEY,
    last int NOT NULL
);

ALTER TABLE applications ADD COLUMN number text UNIQUE;
