-- The serving tables of batch prediction (DESIGN section 5). Safe to run on every start.
CREATE TABLE IF NOT EXISTS batch_predictions (
    id          BIGINT           NOT NULL,
    model       TEXT             NOT NULL,
    version     TEXT             NOT NULL,
    -- float4: the scoring operator's float32 output, stored exactly
    prediction  REAL             NOT NULL,
    computed_at TIMESTAMPTZ      NOT NULL,
    PRIMARY KEY (id, model, version)
);

CREATE TABLE IF NOT EXISTS feature_snapshots (
    -- 'origin:SFO', 'dest:SFO' or 'route:SFO>LAX'
    entity  TEXT             NOT NULL,
    -- the UTC day whose midnight the value is valid at
    day     DATE             NOT NULL,
    feature TEXT             NOT NULL,
    -- null: the feature is null (a mean over no events)
    value   DOUBLE PRECISION,
    PRIMARY KEY (entity, day, feature)
);
