-- billing: prices and the charges journal (R17).  Both are append-only:
-- a price version is never changed (a correction is a new version), a
-- charge is never edited or deleted (a correction is a compensating
-- entry).  The proration rule is stated in common/yjc_prices.h.

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%.% is append-only', TG_TABLE_SCHEMA, TG_TABLE_NAME;
END $$;

-- What rating has seen: every price version and every allocation change
-- takes a number from it; a month rated at seq S is stale when anything
-- of its own has a larger one.
CREATE SEQUENCE rating_seq;

CREATE TABLE price_versions (
    version        bigserial PRIMARY KEY,
    effective_from date NOT NULL,
    note           text NOT NULL DEFAULT '',
    published_by   text NOT NULL,
    published_at   timestamptz NOT NULL,
    seq            bigint NOT NULL DEFAULT nextval('rating_seq')
);

CREATE TABLE price_lines (
    version    bigint NOT NULL REFERENCES price_versions,
    line       text NOT NULL,
    test       bigint NOT NULL CHECK (test >= 0),
    production bigint NOT NULL CHECK (production >= 0),
    PRIMARY KEY (version, line)
);

CREATE TRIGGER price_versions_append_only BEFORE UPDATE OR DELETE
    ON price_versions FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER price_lines_append_only BEFORE UPDATE OR DELETE
    ON price_lines FOR EACH ROW EXECUTE FUNCTION refuse_change();

ALTER TABLE allocations
    ADD COLUMN changed_seq bigint NOT NULL DEFAULT nextval('rating_seq');

CREATE FUNCTION allocation_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.changed_seq := nextval('rating_seq');
    RETURN NEW;
END $$;

CREATE TRIGGER allocations_changed BEFORE UPDATE ON allocations
    FOR EACH ROW EXECUTE FUNCTION allocation_changed();

-- The journal: for each (app, month, line, stage, unit price, quantity,
-- days) the sum of its entries is what is owed; rating appends the
-- difference between the target (ledger x prices) and that sum.
CREATE TABLE charges (
    id             bigserial PRIMARY KEY,
    app_id         text NOT NULL,
    unit           text NOT NULL,
    month          date NOT NULL,
    line           text NOT NULL,
    stage          text NOT NULL,
    unit_price_fen bigint NOT NULL,
    qty            bigint NOT NULL,
    day_from       date NOT NULL,
    day_to         date NOT NULL,            -- inclusive
    days           int NOT NULL,
    amount_fen     bigint NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('charge', 'compensation')),
    cause          text NOT NULL DEFAULT '',
    rated_at       timestamptz NOT NULL
);

CREATE INDEX charges_app_month ON charges (app_id, month);
CREATE INDEX charges_month ON charges (month, unit);

CREATE TRIGGER charges_append_only BEFORE UPDATE OR DELETE
    ON charges FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER charges_no_truncate BEFORE TRUNCATE
    ON charges FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Which closed month of which application was rated, as of which seq.
CREATE TABLE rated_months (
    app_id   text NOT NULL,
    month    date NOT NULL,
    seq      bigint NOT NULL,
    PRIMARY KEY (app_id, month)
);
