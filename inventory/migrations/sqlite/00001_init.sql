-- Inventory schema v1 (SQLite). Keep in step with ../postgres/00001_init.sql:
-- the two differ only in identity columns and types.

-- +goose Up
CREATE TABLE functions (
    id        INTEGER PRIMARY KEY,
    source    TEXT NOT NULL,
    account   TEXT NOT NULL,
    region    TEXT NOT NULL,
    name      TEXT NOT NULL,
    qualifier TEXT NOT NULL,
    arn       TEXT NOT NULL DEFAULT '',
    UNIQUE (source, account, region, name, qualifier)
);

CREATE TABLE artifacts (
    digest             TEXT PRIMARY KEY,
    package_count      INTEGER NOT NULL,
    first_seen         BIGINT NOT NULL,
    current_generation TEXT
);

CREATE TABLE versions (
    id                          INTEGER PRIMARY KEY,
    function_id                 INTEGER NOT NULL REFERENCES functions (id),
    version_key                 TEXT NOT NULL,
    artifact_digest             TEXT NOT NULL REFERENCES artifacts (digest),
    package_type                TEXT NOT NULL,
    runtime                     TEXT NOT NULL,
    architectures               TEXT NOT NULL,
    code_sha256                 TEXT NOT NULL,
    code_sha256_hex             TEXT NOT NULL,
    image_digest                TEXT NOT NULL,
    signing_profile_version_arn TEXT NOT NULL,
    signing_job_arn             TEXT NOT NULL,
    provenance                  TEXT NOT NULL,
    first_seen                  BIGINT NOT NULL,
    last_seen                   BIGINT NOT NULL,
    deployed                    BOOLEAN NOT NULL,
    UNIQUE (function_id, version_key)
);
CREATE INDEX versions_artifact ON versions (artifact_digest);

CREATE TABLE version_layers (
    version_id  INTEGER NOT NULL REFERENCES versions (id),
    position    INTEGER NOT NULL,
    arn         TEXT NOT NULL,
    digest      TEXT NOT NULL,
    code_sha256 TEXT NOT NULL,
    PRIMARY KEY (version_id, position)
);

CREATE TABLE packages (
    artifact_digest TEXT NOT NULL REFERENCES artifacts (digest),
    seq             INTEGER NOT NULL,
    ecosystem       TEXT NOT NULL,
    name_norm       TEXT NOT NULL,
    name            TEXT NOT NULL,
    version         TEXT NOT NULL,
    purl            TEXT NOT NULL,
    path            TEXT NOT NULL,
    origin_kind     TEXT NOT NULL,
    origin_index    INTEGER NOT NULL,
    origin_digest   TEXT NOT NULL,
    loaded          BOOLEAN NOT NULL,
    shadowed_by     TEXT NOT NULL,
    evidence        TEXT NOT NULL,
    PRIMARY KEY (artifact_digest, seq)
);
-- Covers "which versions of these names are stored" (an incremental
-- rematch's first step) without reading the table.
CREATE INDEX packages_name ON packages (name_norm, ecosystem, version, artifact_digest);

CREATE TABLE findings (
    artifact_digest TEXT NOT NULL REFERENCES artifacts (digest),
    generation      TEXT NOT NULL,
    ecosystem       TEXT NOT NULL,
    name_norm       TEXT NOT NULL,
    path            TEXT NOT NULL,
    advisory_id     TEXT NOT NULL,
    name            TEXT NOT NULL,
    version         TEXT NOT NULL,
    aliases         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    severity        TEXT NOT NULL,
    verdict         TEXT NOT NULL,
    PRIMARY KEY (artifact_digest, generation, path, ecosystem, name_norm, advisory_id)
);
CREATE INDEX findings_name ON findings (name_norm, ecosystem);

-- Every id and alias of a finding, so an advisory can be looked up by any.
CREATE TABLE finding_ids (
    id              TEXT NOT NULL,
    artifact_digest TEXT NOT NULL,
    generation      TEXT NOT NULL,
    path            TEXT NOT NULL,
    ecosystem       TEXT NOT NULL,
    name_norm       TEXT NOT NULL,
    advisory_id     TEXT NOT NULL,
    PRIMARY KEY (id, artifact_digest, generation, path, ecosystem, name_norm, advisory_id)
);
CREATE INDEX finding_ids_artifact ON finding_ids (artifact_digest, generation);

CREATE TABLE scan_runs (
    id             INTEGER PRIMARY KEY,
    run_key        TEXT NOT NULL UNIQUE,
    function_id    INTEGER NOT NULL REFERENCES functions (id),
    version_id     INTEGER REFERENCES versions (id),
    at             BIGINT NOT NULL,
    target         TEXT NOT NULL,
    result         TEXT NOT NULL CHECK (result IN ('pass', 'fail', 'undecided')),
    decision       TEXT NOT NULL,
    error          TEXT NOT NULL,
    generation     TEXT NOT NULL,
    finding_count  INTEGER NOT NULL,
    blocking_count INTEGER NOT NULL,
    CHECK (result <> 'pass' OR error = '')
);
CREATE INDEX scan_runs_function ON scan_runs (function_id, at);

CREATE TABLE reachability (
    binary_digest TEXT NOT NULL,
    advisory_id   TEXT NOT NULL,
    reachable     TEXT NOT NULL CHECK (reachable IN ('true', 'false', 'unknown')),
    symbols       TEXT NOT NULL,
    PRIMARY KEY (binary_digest, advisory_id)
);

-- +goose Down
DROP TABLE reachability;
DROP TABLE scan_runs;
DROP TABLE finding_ids;
DROP TABLE findings;
DROP TABLE packages;
DROP TABLE version_layers;
DROP TABLE versions;
DROP TABLE artifacts;
DROP TABLE functions;
