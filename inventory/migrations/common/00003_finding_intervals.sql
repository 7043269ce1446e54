-- Inventory schema v3: a finding row is kept once for as long as it holds.
-- Same on both backends: one file in common/ serves both.
--
-- Up to v2 a rematch that changed an artifact's findings copied all of
-- them under the new generation, so 500 changed records touching most of
-- a fleet rewrote hundreds of thousands of identical rows. From v3:
--   findings.generation        the generation the row was first found in;
--   findings.until_generation  the generation that replaced or fixed it,
--                              NULL while it is current (at most one
--                              current row per package copy and advisory);
--   finding_ids                the ids of current rows only (investigate
--                              --advisory reads nothing else), keyed by the
--                              finding so closing one drops its ids;
--   artifacts.current_generation  the generation the artifact was last
--                              matched against (v2's matched_generation is
--                              folded into it and dropped).
-- v2 rows of an older generation than their artifact's current one did not
-- record what replaced them; they are closed at the current generation.

-- +goose Up
ALTER TABLE findings ADD COLUMN until_generation TEXT;
UPDATE findings SET until_generation = (SELECT a.current_generation FROM artifacts a WHERE a.digest = findings.artifact_digest)
    WHERE generation <> COALESCE((SELECT a.current_generation FROM artifacts a WHERE a.digest = findings.artifact_digest), '');
CREATE UNIQUE INDEX findings_current ON findings (artifact_digest, path, ecosystem, name_norm, advisory_id)
    WHERE until_generation IS NULL;
-- "Which artifacts have current findings on these names" (an incremental
-- rematch) from the index alone.
DROP INDEX findings_name;
CREATE INDEX findings_current_name ON findings (name_norm, ecosystem, artifact_digest) WHERE until_generation IS NULL;

CREATE TABLE finding_ids_v3 (
    artifact_digest TEXT NOT NULL,
    path            TEXT NOT NULL,
    ecosystem       TEXT NOT NULL,
    name_norm       TEXT NOT NULL,
    advisory_id     TEXT NOT NULL,
    id              TEXT NOT NULL,
    PRIMARY KEY (artifact_digest, path, ecosystem, name_norm, advisory_id, id)
);
INSERT INTO finding_ids_v3 (artifact_digest, path, ecosystem, name_norm, advisory_id, id)
    SELECT i.artifact_digest, i.path, i.ecosystem, i.name_norm, i.advisory_id, i.id FROM finding_ids i
    JOIN artifacts a ON a.digest = i.artifact_digest AND a.current_generation = i.generation;
DROP TABLE finding_ids;
ALTER TABLE finding_ids_v3 RENAME TO finding_ids;
CREATE INDEX finding_ids_id ON finding_ids (id);

UPDATE artifacts SET current_generation = matched_generation WHERE matched_generation IS NOT NULL;
ALTER TABLE artifacts DROP COLUMN matched_generation;
-- Bumped by every write that changes an artifact's findings rows: a
-- rematch reads a batch's findings before its writing transaction and
-- reads again only the artifacts whose revision moved meanwhile.
ALTER TABLE artifacts ADD COLUMN findings_rev BIGINT NOT NULL DEFAULT 0;

-- +goose Down
-- v2 keeps an artifact's current findings under its current generation and
-- has no closed rows: the history is dropped.
ALTER TABLE artifacts DROP COLUMN findings_rev;
ALTER TABLE artifacts ADD COLUMN matched_generation TEXT;
DELETE FROM findings WHERE until_generation IS NOT NULL;
UPDATE findings SET generation = (SELECT a.current_generation FROM artifacts a WHERE a.digest = findings.artifact_digest);
DROP INDEX findings_current;
DROP INDEX findings_current_name;
CREATE INDEX findings_name ON findings (name_norm, ecosystem);
ALTER TABLE findings DROP COLUMN until_generation;

CREATE TABLE finding_ids_v2 (
    id              TEXT NOT NULL,
    artifact_digest TEXT NOT NULL,
    generation      TEXT NOT NULL,
    path            TEXT NOT NULL,
    ecosystem       TEXT NOT NULL,
    name_norm       TEXT NOT NULL,
    advisory_id     TEXT NOT NULL,
    PRIMARY KEY (id, artifact_digest, generation, path, ecosystem, name_norm, advisory_id)
);
INSERT INTO finding_ids_v2 (id, artifact_digest, generation, path, ecosystem, name_norm, advisory_id)
    SELECT i.id, i.artifact_digest, a.current_generation, i.path, i.ecosystem, i.name_norm, i.advisory_id FROM finding_ids i
    JOIN artifacts a ON a.digest = i.artifact_digest;
DROP TABLE finding_ids;
ALTER TABLE finding_ids_v2 RENAME TO finding_ids;
CREATE INDEX finding_ids_artifact ON finding_ids (artifact_digest, generation);
