-- Issue #14, contract version 2 ("Severity and handling level", "Kinds of matters"):
--
-- * hazards.type    — the kind of matter (事项类型): hazard | dispute | lead | emergency | request | information.
--                     Every row so far is a hazard (隐患), the default.
-- * hazards.level   — the handling level (办理层级, the 7135 rule): micro_grid (微网格, 小事, 1 day) |
--                     grid (网格, 大事, 3 days) | street (街道, 难事, 5 days). New matters start at micro_grid.
-- * hazards.source  — where the matter came from (来源): patrol | resident | hotline_12345 | command | partner | import.
-- * hazards.escalated_at / escalations — the last escalation and how many there were (the timeline holds each one).
-- * hazards.category — the CHECK now ties the category to the type (core/matters.ts CATEGORIES_BY_TYPE).
-- * hazard_events.kind — 'transition' (a move of the status machine, as before), 'reminder' (催办, migration 060) or 'escalation' (升级:
--   from_status = to_status, from_level → to_level, note = the reason, user_id / by_name = who).
--
-- Deadlines, recomputed honestly. Version 1 set due_at from severity (minor 1, major 3, critical 5 days).
-- Severity is now danger only; due_at = reported_at + the days of the matter's current level. Version 1
-- recorded no level, and no matter was ever escalated, so every existing matter was handled where it was
-- reported — the micro-grid — and gets level micro_grid and due_at = reported_at + 1 day. Old major and
-- critical matters therefore have a shorter deadline than version 1 gave them, and some that closed "on
-- time" by the old rule count as closed late now (docs/api.md, "Deadlines of matters migrated from
-- version 1"). Nothing else (status, closed_at, …) changes.
ALTER TABLE hazards
  ADD COLUMN type text NOT NULL DEFAULT 'hazard'
    CHECK (type IN ('hazard', 'dispute', 'lead', 'emergency', 'request', 'information')),
  ADD COLUMN level text NOT NULL DEFAULT 'micro_grid' CHECK (level IN ('micro_grid', 'grid', 'street')),
  ADD COLUMN source text NOT NULL DEFAULT 'patrol'
    CHECK (source IN ('patrol', 'resident', 'hotline_12345', 'command', 'partner', 'import')),
  ADD COLUMN escalated_at timestamptz,
  ADD COLUMN escalations integer NOT NULL DEFAULT 0 CHECK (escalations >= 0);

ALTER TABLE hazards DROP CONSTRAINT hazards_category_check;
ALTER TABLE hazards ADD CONSTRAINT hazards_category_check CHECK (
  CASE type
    WHEN 'hazard' THEN category IN ('flying_wire_charging', 'ebike_indoor', 'fire_lane_blocked', 'corridor_clutter',
                                    'facility_aging', 'poor_lighting', 'falling_object_risk', 'other')
    WHEN 'dispute' THEN category IN ('neighbours', 'family', 'noise', 'property', 'other')
    WHEN 'lead' THEN category IN ('suspicious_person', 'suspicious_vehicle', 'fraud', 'other')
    WHEN 'emergency' THEN category IN ('fire', 'medical', 'flood', 'gas_leak', 'traffic', 'other')
    WHEN 'request' THEN category IN ('repair', 'environment', 'elderly_help', 'micro_wish', 'other')
    WHEN 'information' THEN category IN ('opinion', 'suggestion', 'complaint', 'other')
    ELSE false
  END
);

UPDATE hazards SET due_at = reported_at + interval '1 day' WHERE level = 'micro_grid' AND due_at <> reported_at + interval '1 day';

CREATE INDEX hazards_community_type_idx ON hazards (community_id, type);

ALTER TABLE hazard_events
  ADD COLUMN kind text NOT NULL DEFAULT 'transition' CONSTRAINT hazard_events_kind_check CHECK (kind IN ('transition', 'escalation', 'reminder')),
  ADD COLUMN from_level text CHECK (from_level IS NULL OR from_level IN ('micro_grid', 'grid', 'street')),
  ADD COLUMN to_level text CHECK (to_level IS NULL OR to_level IN ('micro_grid', 'grid', 'street'));
