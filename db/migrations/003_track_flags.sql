-- A track point that makes its track physically impossible (a speed above any walking or cycling pace,
-- a teleport) carries the reason here; flagged points are left out of coverage and of points (积分).
-- NULL = a plausible point. The rule that sets it lives with track ingestion (issue #18, #21).
ALTER TABLE track_points ADD COLUMN flag text CHECK (flag IS NULL OR length(flag) BETWEEN 1 AND 200);
