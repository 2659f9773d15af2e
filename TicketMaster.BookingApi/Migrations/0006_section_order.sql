-- The owner's order of sections for best-available seats, as the catalog announces it (a JSON array of section ids,
-- best first); NULL: dearest first.
ALTER TABLE sale_event ADD COLUMN section_order TEXT NULL AFTER hold_seconds;
