-- 0016 — what campaigns cost: one row per day, source, medium, campaign and currency, the
-- key an import replaces by (an export read twice, or corrected, is not counted twice).
-- Names are stored as touches store them (normalised, the source through its aliases), so
-- that costs meet the leads they bought. Amounts are integers in the currency's minor
-- unit, as sales' are: sums are exact, and currencies are never added together.
CREATE TABLE campaign_costs (
    day           TEXT    NOT NULL
                  CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    source        TEXT    NOT NULL CHECK (length(source) > 0),
    medium        TEXT    NOT NULL CHECK (length(medium) > 0),
    campaign      TEXT    NOT NULL CHECK (length(campaign) > 0),
    currency      TEXT    NOT NULL CHECK (length(currency) = 3),
    amount_minor  INTEGER NOT NULL CHECK (amount_minor >= 0),
    -- When this row was last written (Unix ms).
    imported_at   INTEGER NOT NULL,
    PRIMARY KEY (day, source, medium, campaign, currency)
) STRICT, WITHOUT ROWID;
