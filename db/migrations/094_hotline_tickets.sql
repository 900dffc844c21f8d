-- 12345 hotline tickets (市民热线工单, issue 15): `POST /api/hotline/import` turns the rows of a 12345 platform's Excel
-- export into matters with source 'hotline_12345'.
--
-- * hazards.hotline_ticket — the platform's ticket number (工单编号); null for other matters. Unique per community,
--   so importing the same export again skips the tickets already in (INSERT … ON CONFLICT DO NOTHING).
ALTER TABLE hazards ADD COLUMN hotline_ticket text CHECK (hotline_ticket IS NULL OR length(hotline_ticket) BETWEEN 1 AND 64);
CREATE UNIQUE INDEX hazards_hotline_ticket_uq ON hazards (community_id, hotline_ticket) WHERE hotline_ticket IS NOT NULL;
