-- Issue 15, the patrol phone's task actions: 整改完成 with an after photo, comments, and 现场处置 with before and
-- after photos, all sent from the phone's offline outbox exactly once.
--
-- * hazard_photos.role — what a photo shows: 'before' (as found) or 'after' (once fixed); null for any other photo
--   (a report's photo, a partner's). Shown beside the photo in the matter's drawer and timeline.
-- * hazard_comments.client_id — the phone's id of a comment (its outbox sends it again when an answer is lost): the
--   same (matter, account, clientId) answers the matter as it is instead of commenting twice.
-- * 整改完成 from the phone is a transition whose last hazard_events row carries the phone's clientId
--   (hazard_events.client_id, migration 085), so it is idempotent the same way as an escalation.
ALTER TABLE hazard_photos ADD COLUMN role text CHECK (role IS NULL OR role IN ('before', 'after'));

ALTER TABLE hazard_comments ADD COLUMN client_id text CHECK (client_id IS NULL OR length(client_id) BETWEEN 1 AND 100);
CREATE UNIQUE INDEX hazard_comments_client_uq ON hazard_comments (hazard_id, user_id, client_id) WHERE client_id IS NOT NULL;
