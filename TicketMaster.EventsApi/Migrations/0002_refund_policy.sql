-- The owner's refund policy per event: fans may cancel tickets until refundable_until (never when NULL), each
-- refunded ticket less refund_fee_cents (kept by the organizer, at most the ticket's price). A cancelled event is
-- refunded in full whatever the policy.
ALTER TABLE event
    ADD COLUMN refundable_until DATETIME(3) NULL AFTER on_sale_at,
    ADD COLUMN refund_fee_cents INT NOT NULL DEFAULT 0 AFTER refundable_until,
    ADD CONSTRAINT ck_event_refund_fee CHECK (refund_fee_cents >= 0);

-- Each refund the sale announces (booking.refunded) gives its seats back to the event's availability once.
CREATE TABLE event_refund_counted (
    refund_id   BIGINT       NOT NULL PRIMARY KEY,
    event_id    BIGINT       NOT NULL,
    seats       INT          NOT NULL,
    counted_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB;
