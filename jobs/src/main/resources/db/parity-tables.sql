-- The serving tables of batch prediction (docs/ARCHITECTURE.md). Safe to run on every start.
CREATE TABLE IF NOT EXISTS batch_predictions (
    id          BIGINT           NOT NULL,
    model       TEXT             NOT NULL,
    version     TEXT             NOT NULL,
    -- float4: the scoring operator's float32 output, stored exactly
    prediction  REAL             NOT NULL,
    computed_at TIMESTAMPTZ      NOT NULL,
    PRIMARY KEY (id, model, version)
);

-- Daily snapshots of a feature spec's daily features (written by batch-predict), read by online.
CREATE TABLE IF NOT EXISTS feature_snapshots (
    -- the spec's fingerprint: another spec, or another version of it, never reads these rows
    spec_fingerprint TEXT NOT NULL,
    -- the group's key values as a JSON array: '["SFO"]', '["SFO","LAX"]'
    entity           TEXT NOT NULL,
    -- the UTC day whose midnight the value is valid at (every query of that day gets it)
    day              DATE NOT NULL,
    feature          TEXT NOT NULL,
    -- the value as text, exactly (docs/SPEC.md); null: the feature has no value
    value            TEXT,
    PRIMARY KEY (spec_fingerprint, entity, day, feature)
);

-- The days a batch-predict run wrote complete snapshots for: on such a day an entity without a
-- row has empty windows; outside them the online job answers with an error.
CREATE TABLE IF NOT EXISTS snapshot_days (
    spec_fingerprint TEXT NOT NULL,
    spec_name        TEXT NOT NULL,
    first_day        DATE NOT NULL,
    last_day         DATE NOT NULL,
    PRIMARY KEY (spec_fingerprint, first_day, last_day)
);
