-- Issue 15, contract v2 "Arrival and on-the-spot fixes": the patrol phone's side of the closed loop.
--
-- * hazards.arrived_at / arrived_by / arrival_distance_m — the first arrival on site (到场): when, which account,
--   and how far (m, over the geography) the phone's position was from the matter. Response time (the 7-minute
--   rate) = reported_at → arrived_at; responded_at (the first move into 'rectifying') stays as it was.
-- * hazards.arrival_client_id — the phone's id of that arrival (its outbox sends it again when an answer is lost):
--   unique over all matters, so a repeat finds the arrival it already made and records nothing twice.
-- * hazards.found_on_patrol — reported by a patrol member on site (source patrol): arrived at once
--   (arrived_at = reported_at), and counted apart from the 7-minute rate.
-- * hazards.fixed_on_spot — found and fixed on the spot (现场处置): a minor one is closed at once (verified),
--   a major or critical one waits in 'rectified' for a recheck by someone else.
-- * hazard_events.kind gains 'arrival' (from_status = to_status: an arrival does not move the status).
--
-- Matters recorded before this migration have no arrival: the old "response" was a move into 整改中 at a desk,
-- not someone on site, so it is not copied into arrived_at (docs/api.md, "Arrival and on-the-spot fixes").
ALTER TABLE hazards
  ADD COLUMN arrived_at timestamptz,
  ADD COLUMN arrived_by bigint REFERENCES users (id) ON DELETE SET NULL,
  ADD COLUMN arrival_distance_m double precision CHECK (arrival_distance_m IS NULL OR arrival_distance_m >= 0),
  ADD COLUMN arrival_client_id text CHECK (arrival_client_id IS NULL OR length(arrival_client_id) BETWEEN 1 AND 100),
  ADD COLUMN found_on_patrol boolean NOT NULL DEFAULT false,
  ADD COLUMN fixed_on_spot boolean NOT NULL DEFAULT false;

CREATE UNIQUE INDEX hazards_arrival_client_uq ON hazards (arrival_client_id) WHERE arrival_client_id IS NOT NULL;
CREATE INDEX hazards_fixed_on_spot_idx ON hazards (community_id, closed_at) WHERE fixed_on_spot;

ALTER TABLE hazard_events DROP CONSTRAINT hazard_events_kind_check;
ALTER TABLE hazard_events ADD CONSTRAINT hazard_events_kind_check CHECK (kind IN ('transition', 'escalation', 'reminder', 'arrival'));
