-- QR codes of key places are random (48 bits), not sequential (KP-000001, KP-000002 … could be guessed
-- by anyone). Existing sequential codes are replaced; the old one is kept in retired_code so a scan of
-- an old sticker is told to print the new sheet (410) instead of "unknown code". New key places get a
-- random code by default (the server also makes them: server/domain/evidence.ts newKeyPlaceCode).
ALTER TABLE key_places ADD COLUMN retired_code text;
UPDATE key_places
   SET retired_code = code,
       code = 'KP-' || upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 12))
 WHERE code ~ '^KP-[0-9]{1,11}$';
ALTER TABLE key_places ALTER COLUMN code SET DEFAULT ('KP-' || upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 12)));
CREATE INDEX key_places_retired_code_idx ON key_places (retired_code) WHERE retired_code IS NOT NULL;
