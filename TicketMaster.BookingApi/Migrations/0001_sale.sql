-- The sale's tables (BookingApi alone migrates and writes them; docs/DESIGN.md §2). MySQL is the final arbiter of who
-- owns a seat. Times are UTC. Ids are application-generated 64-bit values (random where a user could otherwise
-- enumerate others' data). User ids are JWT subjects: opaque strings compared byte for byte (binary collation:
-- "Alice-1" and "álice-1" are other people than "alice-1") of at most 128 characters.

-- What the sale keeps of each event it sells, from the catalog's listing and its event.sale_changed messages: the
-- terms (newest version wins), the details a booking shows (JSON), and whether all its seats are known yet.
CREATE TABLE sale_event (
    event_id              BIGINT        NOT NULL PRIMARY KEY,
    version               BIGINT        NOT NULL,
    owner_id              VARCHAR(128)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    status                VARCHAR(16)   NOT NULL,
    starts_at             DATETIME(3)   NOT NULL,
    ends_at               DATETIME(3)   NOT NULL,
    on_sale_at            DATETIME(3)   NOT NULL,
    max_tickets_per_user  INT           NOT NULL,
    waiting_room          BOOLEAN       NOT NULL,
    details               LONGTEXT      NOT NULL,
    seats_listed          BOOLEAN       NOT NULL DEFAULT FALSE,
    updated_at            DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    CONSTRAINT ck_sale_event_details CHECK (json_valid(details))
) ENGINE=InnoDB;

-- The event's door staff as the catalog last announced them: check-in admits a ticket only for staff of its event.
CREATE TABLE sale_staff (
    event_id  BIGINT        NOT NULL,
    user_id   VARCHAR(128)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    PRIMARY KEY (event_id, user_id)
) ENGINE=InnoDB;

-- One row per sellable seat of an event, from the catalog's listing, with its labels and price. Holds live in Redis;
-- here a seat is available or sold, and the confirm transaction flips it with a conditional UPDATE (DESIGN §3).
CREATE TABLE event_seat (
    event_id      BIGINT        NOT NULL,
    seat_id       BIGINT        NOT NULL,
    section_id    BIGINT        NOT NULL,
    section_name  VARCHAR(100)  NOT NULL,
    row_label     VARCHAR(16)   NOT NULL,
    seat_number   INT           NOT NULL,
    price_cents   INT           NOT NULL,
    status        VARCHAR(16)   NOT NULL DEFAULT 'available',
    booking_id    BIGINT        NULL,
    PRIMARY KEY (event_id, seat_id),
    KEY ix_event_seat_booking (booking_id),
    CONSTRAINT ck_event_seat_status CHECK (status IN ('available', 'sold')),
    CONSTRAINT ck_event_seat_price CHECK (price_cents >= 0)
) ENGINE=InnoDB;

CREATE TABLE `user` (
    user_id     VARCHAR(128)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
    name        VARCHAR(200)  NULL,
    email       VARCHAR(320)  NULL,
    created_at  DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB;

-- reservation_id is UNIQUE so a retried confirm of the same reservation finds the booking it already made.
CREATE TABLE booking (
    booking_id           BIGINT        NOT NULL PRIMARY KEY,
    confirmation_number  VARCHAR(16)   NOT NULL,
    reservation_id       VARCHAR(64)   NOT NULL,
    user_id              VARCHAR(128)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    event_id             BIGINT        NOT NULL,
    status               VARCHAR(16)   NOT NULL DEFAULT 'confirmed',
    total_cents          BIGINT        NOT NULL,
    payment_ref          VARCHAR(100)  NULL,
    created_at           DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE KEY ux_booking_confirmation_number (confirmation_number),
    UNIQUE KEY ux_booking_reservation (reservation_id),
    KEY ix_booking_user_created (user_id, created_at),
    KEY ix_booking_event (event_id)
) ENGINE=InnoDB;

-- UNIQUE(event_id, seat_id): the last line of defence against selling a seat twice.
CREATE TABLE ticket (
    ticket_id      BIGINT       NOT NULL PRIMARY KEY,
    booking_id     BIGINT       NOT NULL,
    event_id       BIGINT       NOT NULL,
    seat_id        BIGINT       NOT NULL,
    price_cents    INT          NOT NULL,
    checked_in_at  DATETIME(3)  NULL,
    UNIQUE KEY ux_ticket_event_seat (event_id, seat_id),
    KEY ix_ticket_booking (booking_id),
    CONSTRAINT fk_ticket_booking FOREIGN KEY (booking_id) REFERENCES booking (booking_id),
    CONSTRAINT fk_ticket_event_seat FOREIGN KEY (event_id, seat_id) REFERENCES event_seat (event_id, seat_id)
) ENGINE=InnoDB;

-- One row per payment attempt that reached the provider (DESIGN §3): written before the provider is called, so a
-- process that dies between authorization and commit leaves a trace the reconciler can settle (no charge without a
-- ticket, no ticket without a charge). A confirm after a declined or voided attempt starts the next one under a new
-- idempotency key ("{reservation_id}:{attempt}"); while an attempt is live (authorizing, authorized) every confirm of
-- the reservation shares it. hold_expires_at: until then the fan may still complete the confirm, so the reconciler
-- leaves the attempt alone. settle_failures / next_settle_at: a row the provider keeps refusing waits longer each
-- time instead of holding up the others. voiding: taken away from any booking, a void is owed to the provider.
CREATE TABLE payment (
    reservation_id   VARCHAR(64)   NOT NULL PRIMARY KEY,
    user_id          VARCHAR(128)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    event_id         BIGINT        NOT NULL,
    amount_cents     BIGINT        NOT NULL,
    provider         VARCHAR(16)   NOT NULL,
    provider_ref     VARCHAR(100)  NULL,
    attempt          INT           NOT NULL DEFAULT 1,
    idempotency_key  VARCHAR(300)  NOT NULL,
    method           VARCHAR(100)  NOT NULL,
    status           VARCHAR(16)   NOT NULL,
    booking_id       BIGINT        NULL,
    hold_expires_at  DATETIME(3)   NULL,
    settle_failures  INT           NOT NULL DEFAULT 0,
    next_settle_at   DATETIME(3)   NULL,
    created_at       DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at       DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    KEY ix_payment_status_updated (status, updated_at),
    CONSTRAINT ck_payment_status CHECK (status IN ('authorizing', 'authorized', 'captured', 'voiding', 'voided', 'refunded', 'failed'))
) ENGINE=InnoDB;

-- The sale's transactional outbox (docs/DESIGN.md §4), published by BookingApi's relay.
CREATE TABLE booking_outbox (
    outbox_id       BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    aggregate_type  VARCHAR(32)   NOT NULL,
    aggregate_id    BIGINT        NOT NULL,
    message_type    VARCHAR(64)   NOT NULL,
    payload         LONGTEXT      NOT NULL,
    traceparent     VARCHAR(64)   NULL,
    tracestate      VARCHAR(256)  NULL,
    created_at      DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    sent_at         DATETIME(6)   NULL,
    KEY ix_outbox_pending (sent_at, outbox_id),
    CONSTRAINT ck_booking_outbox_payload CHECK (json_valid(payload))
) ENGINE=InnoDB;

-- Ids of messages (payment webhooks) already handled, for idempotent consumers; pruned after a retention.
CREATE TABLE processed_message (
    id            VARCHAR(128) NOT NULL PRIMARY KEY,
    processed_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    KEY ix_processed_message_processed_at (processed_at)
) ENGINE=InnoDB;
