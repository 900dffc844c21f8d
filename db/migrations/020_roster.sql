-- The roster (issue 16): people in several teams with posts and joined/left dates (never deleted),
-- teams of any kind with a leader and deputies, accounts that must change their password, building
-- heads (楼栋长/党员中心户) and several teams per zone.

-- Teams: the six standard kinds or 'custom' with its own name (kind_label).
ALTER TABLE teams DROP CONSTRAINT IF EXISTS teams_kind_check;
ALTER TABLE teams ADD CONSTRAINT teams_kind_any_check
  CHECK (kind IN ('patrol', 'mediation', 'publicity', 'school_traffic', 'emergency', 'information', 'custom'));
ALTER TABLE teams ADD COLUMN kind_label text CHECK (kind_label IS NULL OR length(kind_label) BETWEEN 1 AND 50);
ALTER TABLE teams ADD COLUMN active boolean NOT NULL DEFAULT true;
ALTER TABLE teams ADD CONSTRAINT teams_custom_label_check CHECK (kind <> 'custom' OR kind_label IS NOT NULL);

-- People: posts/duties (一岗多责), joined and left dates. people.team_id stays the first team (teamIds[0]).
ALTER TABLE people ADD COLUMN posts text[] NOT NULL DEFAULT '{}';
ALTER TABLE people ADD COLUMN joined_on date;
ALTER TABLE people ADD COLUMN left_on date;
ALTER TABLE people ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE people ADD CONSTRAINT people_left_after_joined CHECK (left_on IS NULL OR joined_on IS NULL OR left_on >= joined_on);

-- Membership of a person in a team (一队多能: several teams per person); role member or deputy.
CREATE TABLE person_teams (
  community_id bigint NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
  person_id    bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  team_id      bigint NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  role         text NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'deputy')),
  PRIMARY KEY (person_id, team_id)
);
CREATE INDEX person_teams_team_idx ON person_teams (team_id);
CREATE INDEX person_teams_community_idx ON person_teams (community_id);
INSERT INTO person_teams (community_id, person_id, team_id)
  SELECT community_id, id, team_id FROM people WHERE team_id IS NOT NULL;

-- Accounts: a forced password change at next sign-in; usernames unique case-insensitively.
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN password_changed_at timestamptz;
CREATE UNIQUE INDEX users_username_lower_uq ON users (lower(username));

-- Devices: who added them (a leader, an admin, or the phone itself at first duty).
ALTER TABLE devices ADD COLUMN added_by bigint REFERENCES users (id) ON DELETE SET NULL;

-- Building head (楼栋长/党员中心户).
ALTER TABLE buildings ADD COLUMN head_person_id bigint REFERENCES people (id) ON DELETE SET NULL;
CREATE INDEX buildings_head_idx ON buildings (head_person_id) WHERE head_person_id IS NOT NULL;

-- Teams per zone: one zone, several teams (zones.team_id stays the first).
CREATE TABLE zone_teams (
  community_id bigint NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
  zone_id      bigint NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
  team_id      bigint NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  PRIMARY KEY (zone_id, team_id)
);
CREATE INDEX zone_teams_community_idx ON zone_teams (community_id);
CREATE INDEX zone_teams_team_idx ON zone_teams (team_id);
INSERT INTO zone_teams (community_id, zone_id, team_id)
  SELECT community_id, id, team_id FROM zones WHERE team_id IS NOT NULL;

-- Whoever writes people.team_id or zones.team_id (the demo seed, the synthetic city, older code) keeps the
-- membership tables in step: the first team is always also a membership.
CREATE FUNCTION person_first_team_membership() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.team_id IS NOT NULL THEN
    INSERT INTO person_teams (community_id, person_id, team_id) VALUES (NEW.community_id, NEW.id, NEW.team_id)
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER people_first_team AFTER INSERT OR UPDATE OF team_id ON people
  FOR EACH ROW EXECUTE FUNCTION person_first_team_membership();

CREATE FUNCTION zone_first_team_membership() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.team_id IS NOT NULL THEN
    INSERT INTO zone_teams (community_id, zone_id, team_id) VALUES (NEW.community_id, NEW.id, NEW.team_id)
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER zones_first_team AFTER INSERT OR UPDATE OF team_id ON zones
  FOR EACH ROW EXECUTE FUNCTION zone_first_team_membership();
