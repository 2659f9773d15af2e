-- The owner's order of the venue's sections for best-available seats (a JSON array of section ids, best first);
-- NULL: the sale's own order (dearest first). Sections left out come after those listed.
ALTER TABLE event ADD COLUMN section_order TEXT NULL AFTER hold_seconds;
