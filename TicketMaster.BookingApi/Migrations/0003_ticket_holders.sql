-- A ticket belongs to its buyer until a transfer gives it to someone else: holder_id is NULL for the buyer (the
-- booking's user; the confirm path writes nothing more) and the recipient's id after a transfer. Each transfer makes
-- the ticket's next code generation; only a code of the current generation checks in (the old holder's code stops).
ALTER TABLE ticket
    ADD COLUMN holder_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL AFTER seat_id,
    ADD COLUMN code_generation INT NOT NULL DEFAULT 1 AFTER holder_id;
CREATE INDEX ix_ticket_holder_event ON ticket (holder_id, event_id);
