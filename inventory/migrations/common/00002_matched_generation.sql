-- Inventory schema v2: artifacts.matched_generation. Same on both backends
-- (common/ serves both).
--
-- A rematch that finds an artifact's findings unchanged against a new
-- advisory generation records only that it matched it (no copy of the
-- findings under the new generation); the findings stay under
-- current_generation. NULL: the artifact was last matched against
-- current_generation. Any write of new findings resets it to NULL.

-- +goose Up
ALTER TABLE artifacts ADD COLUMN matched_generation TEXT;

-- +goose Down
ALTER TABLE artifacts DROP COLUMN matched_generation;
