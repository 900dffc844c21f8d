-- 催办 (issue 19, item 4): a reminder to the assignee of a matter is a timeline entry of its own kind (the status
-- does not change), and goes to the work groups' robots as a delivery of its own event.
-- hazard_events.kind = 'reminder' (the column and its values came with the handling levels, migration 004).
-- One reminder an hour per matter: the throttle reads the newest reminder of the matter.
CREATE INDEX hazard_events_reminder_idx ON hazard_events (hazard_id, at) WHERE kind = 'reminder';
ALTER TABLE alert_deliveries DROP CONSTRAINT alert_deliveries_event_check;
ALTER TABLE alert_deliveries ADD CONSTRAINT alert_deliveries_event_check CHECK (event IN ('critical', 'escalation', 'overdue', 'reminder', 'test'));
