-- Residents report too (人人都是安全员, issue 15): `POST /api/public/reports` without signing in.
--
-- * hazards.status  — one more status, 'pending_review' (待核实): a resident's report waits there until the
--                     command centre accepts it (→ 'reported') or declines it with an answer (→ 'rejected').
--                     It is neither open nor closed: never overdue, left out of the statistics and the map tiles.
-- * hazards.tracking_code — the resident's unguessable handle on the report (`/r/<code>`; 12 characters from
--                     a 32-letter alphabet, made by the server from crypto random bytes). Null for other matters.
-- * hazards.contact_phone — the phone the resident left (optional): shown whole only to admin and the command
--                     centre, masked (138****1234) everywhere else (lists, exports, the live stream).
-- * hazards.reporter_device — the device id the public page sends (rate limiting and abuse review only).
-- * hazards.public_answer / answered_at — the answer the resident reads (件件有回音).
-- * hazards.rating / rating_comment / rated_at — the resident's one rating after the close.
ALTER TABLE hazards DROP CONSTRAINT hazards_status_check;
ALTER TABLE hazards ADD CONSTRAINT hazards_status_check CHECK (status IN ('pending_review', 'reported', 'dispatched', 'rectifying',
  'rectified', 'verified', 'reopened', 'rejected'));

ALTER TABLE hazards
  ADD COLUMN tracking_code text CHECK (tracking_code IS NULL OR tracking_code ~ '^[0-9A-Za-z]{10,40}$'),
  ADD COLUMN contact_phone text CHECK (contact_phone IS NULL OR length(contact_phone) <= 32),
  ADD COLUMN reporter_device text CHECK (reporter_device IS NULL OR length(reporter_device) <= 100),
  ADD COLUMN public_answer text CHECK (public_answer IS NULL OR length(public_answer) <= 2000),
  ADD COLUMN answered_at timestamptz,
  ADD COLUMN rating text CHECK (rating IS NULL OR rating IN ('satisfied', 'basically', 'unsatisfied')),
  ADD COLUMN rating_comment text CHECK (rating_comment IS NULL OR length(rating_comment) <= 2000),
  ADD COLUMN rated_at timestamptz;

CREATE UNIQUE INDEX hazards_tracking_code_uq ON hazards (tracking_code) WHERE tracking_code IS NOT NULL;
CREATE INDEX hazards_pending_review_idx ON hazards (community_id, reported_at) WHERE status = 'pending_review';

-- The code on a compound's or building's poster (扫码上报, `/report?place=<code>`): random, never sequential, and
-- apart from the key places' check-in codes (a poster in a stairwell must not prove a patrol check-in).
ALTER TABLE compounds ADD COLUMN report_code text NOT NULL DEFAULT ('RC-' || upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 12)));
ALTER TABLE buildings ADD COLUMN report_code text NOT NULL DEFAULT ('RB-' || upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 12)));
CREATE UNIQUE INDEX compounds_report_code_uq ON compounds (report_code);
CREATE UNIQUE INDEX buildings_report_code_uq ON buildings (report_code);
