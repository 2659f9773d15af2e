-- How long a fan's hold on seats of this event lasts, in seconds; NULL: the sale's default (Booking:HoldTtl). A hot
-- event's owner sets a shorter one, so abandoned holds give their seats back sooner.
ALTER TABLE event
    ADD COLUMN hold_seconds INT NULL AFTER waiting_room,
    ADD CONSTRAINT ck_event_hold_seconds CHECK (hold_seconds IS NULL OR hold_seconds BETWEEN 120 AND 600);
