-- A device is bound to its person: track points and check-ins naming it are accepted only from that
-- person's account, or from a leader or admin of its community (server/domain/devices.ts).
-- registered_by: the account that registered it, so registrations per account can be capped.
ALTER TABLE devices ADD COLUMN registered_by bigint REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX devices_registered_by_idx ON devices (registered_by, created_at);
