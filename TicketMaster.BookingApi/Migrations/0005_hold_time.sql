-- The event's own hold time (seconds), as the catalog announces it; NULL: Booking:HoldTtl.
ALTER TABLE sale_event ADD COLUMN hold_seconds INT NULL AFTER waiting_room;
