-- Inventory schema v5: the folder name an npm package is loaded by, when
-- its package.json names another package (core.Package.Alias). Same on
-- both backends.
--
-- A scan matches such a copy under both names and fails closed on the
-- folder name (a folder flatmap-stream whose package.json says "innocent"
-- is flatmap-stream to the matcher). Without the folder name a rematch
-- could not, and investigate flatmap-stream would not list the copy.
-- Rows recorded before v5 have no alias: a rematch --full matches them by
-- their name only, as before.

-- +goose Up
ALTER TABLE packages ADD COLUMN alias TEXT NOT NULL DEFAULT '';
ALTER TABLE packages ADD COLUMN alias_declared BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE packages ADD COLUMN alias_norm TEXT NOT NULL DEFAULT '';
CREATE INDEX packages_alias ON packages (alias_norm, ecosystem, version, artifact_digest) WHERE alias_norm <> '';

-- +goose Down
DROP INDEX packages_alias;
ALTER TABLE packages DROP COLUMN alias_norm;
ALTER TABLE packages DROP COLUMN alias_declared;
ALTER TABLE packages DROP COLUMN alias;
