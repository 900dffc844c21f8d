-- A check-in is evidence: where the phone said it was (geom, accuracy in metres), how far that was from
-- the key place (distance_m), and when the server received it. Rules in server/domain/evidence.ts.
ALTER TABLE checkins ADD COLUMN geom geometry(Point, 4326);
ALTER TABLE checkins ADD COLUMN accuracy real CHECK (accuracy IS NULL OR accuracy >= 0);
ALTER TABLE checkins ADD COLUMN distance_m real CHECK (distance_m IS NULL OR distance_m >= 0);
ALTER TABLE checkins ADD COLUMN received_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX checkins_user_t_idx ON checkins (user_id, t);
