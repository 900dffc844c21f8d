-- Photo uploads are idempotent per (hazard, client id): an offline phone that retries an upload whose
-- answer was lost gets the first photo back instead of storing a second copy.
ALTER TABLE hazard_photos ADD COLUMN client_id text CHECK (client_id IS NULL OR length(client_id) BETWEEN 1 AND 100);
CREATE UNIQUE INDEX hazard_photos_client_uq ON hazard_photos (hazard_id, client_id) WHERE client_id IS NOT NULL;
