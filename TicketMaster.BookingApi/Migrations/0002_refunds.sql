-- The event's refund policy, as the catalog announces it (event.sale_changed).
ALTER TABLE sale_event
    ADD COLUMN refundable_until DATETIME(3) NULL AFTER on_sale_at,
    ADD COLUMN refund_fee_cents INT NOT NULL DEFAULT 0 AFTER refundable_until;

-- A ticket is valid until it is refunded. At most one valid ticket per seat of an event — the last line of defence
-- against selling a seat twice — while a refunded seat can be sold again: valid_seat_id is the seat of a valid ticket
-- and NULL for a refunded one, and a unique index admits any number of NULLs (MariaDB and MySQL alike).
ALTER TABLE ticket
    ADD COLUMN status VARCHAR(16) NOT NULL DEFAULT 'valid' AFTER price_cents,
    ADD COLUMN refund_id BIGINT NULL AFTER checked_in_at,
    ADD COLUMN valid_seat_id BIGINT AS (CASE WHEN status = 'valid' THEN seat_id END) STORED,
    ADD CONSTRAINT ck_ticket_status CHECK (status IN ('valid', 'refunded'));
CREATE INDEX ix_ticket_event_seat ON ticket (event_id, seat_id);
CREATE UNIQUE INDEX ux_ticket_event_valid_seat ON ticket (event_id, valid_seat_id);
ALTER TABLE ticket DROP INDEX ux_ticket_event_seat;

-- What went back to the fan: a booking is confirmed, partially_refunded or cancelled (every ticket refunded).
ALTER TABLE booking ADD COLUMN refunded_cents BIGINT NOT NULL DEFAULT 0 AFTER total_cents,
    MODIFY status VARCHAR(24) NOT NULL DEFAULT 'confirmed',
    ADD CONSTRAINT ck_booking_status CHECK (status IN ('confirmed', 'partially_refunded', 'cancelled'));
ALTER TABLE payment ADD COLUMN refunded_cents BIGINT NOT NULL DEFAULT 0 AFTER amount_cents;

-- One row per refund of some of a booking's tickets, written in the transaction that voids them (so a crash never
-- voids a ticket without owing its money back), then settled with the provider: pending until the provider confirmed
-- it (the settler retries, with growing pauses), then refunded. seats_released: the seats have left Redis' sold set
-- (else the settler releases them). The fan's Idempotency-Key makes a retried cancel find its refund.
CREATE TABLE refund (
    refund_id        BIGINT        NOT NULL PRIMARY KEY,
    booking_id       BIGINT        NOT NULL,
    event_id         BIGINT        NOT NULL,
    user_id          VARCHAR(128)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    idempotency_key  VARCHAR(200)  NULL,
    reason           VARCHAR(16)   NOT NULL,
    tickets          INT           NOT NULL,
    amount_cents     BIGINT        NOT NULL,
    fee_cents        BIGINT        NOT NULL,
    status           VARCHAR(16)   NOT NULL,
    seats_released   BOOLEAN       NOT NULL DEFAULT FALSE,
    attempts         INT           NOT NULL DEFAULT 0,
    next_attempt_at  DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    created_at       DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    settled_at       DATETIME(3)   NULL,
    UNIQUE KEY ux_refund_idempotency (user_id, idempotency_key),
    KEY ix_refund_booking (booking_id),
    KEY ix_refund_pending (status, next_attempt_at),
    CONSTRAINT fk_refund_booking FOREIGN KEY (booking_id) REFERENCES booking (booking_id),
    CONSTRAINT ck_refund_status CHECK (status IN ('pending', 'refunded')),
    CONSTRAINT ck_refund_reason CHECK (reason IN ('fan', 'event_cancelled')),
    CONSTRAINT ck_refund_amounts CHECK (amount_cents >= 0 AND fee_cents >= 0)
) ENGINE=InnoDB;
