-- The public monthly summary (公示, issue 15): `GET /api/public/summary?community=<public code>&month=YYYY-MM` and the
-- page `/public/summary` need no sign-in, so a community is named there by a code nobody can count through:
-- random (from gen_random_uuid), never the sequential id. Signed-in users read it on `GET /api/communities`
-- (`publicCode`); the figures it opens are counts only, without names, phones or descriptions.
ALTER TABLE communities ADD COLUMN public_code text NOT NULL DEFAULT ('PS-' || upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 12)));
CREATE UNIQUE INDEX communities_public_code_uq ON communities (public_code);
