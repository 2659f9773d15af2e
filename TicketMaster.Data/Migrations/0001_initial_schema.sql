-- TicketMaster schema, DESIGN §2. MySQL (MariaDB locally) is the source of truth; times are UTC.
-- Ids are application-generated 64-bit values (random where a user could otherwise enumerate others' data).

CREATE TABLE venue (
    venue_id    BIGINT       NOT NULL PRIMARY KEY,
    name        VARCHAR(200) NOT NULL,
    city        VARCHAR(100) NOT NULL,
    address     VARCHAR(300) NOT NULL,
    created_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    KEY ix_venue_city (city)
) ENGINE=InnoDB;

CREATE TABLE section (
    section_id  BIGINT       NOT NULL PRIMARY KEY,
    venue_id    BIGINT       NOT NULL,
    name        VARCHAR(100) NOT NULL,
    UNIQUE KEY ux_section_venue_name (venue_id, name),
    CONSTRAINT fk_section_venue FOREIGN KEY (venue_id) REFERENCES venue (venue_id)
) ENGINE=InnoDB;

CREATE TABLE seat (
    seat_id      BIGINT      NOT NULL PRIMARY KEY,
    venue_id     BIGINT      NOT NULL,
    section_id   BIGINT      NOT NULL,
    row_label    VARCHAR(16) NOT NULL,
    seat_number  INT         NOT NULL,
    UNIQUE KEY ux_seat_position (section_id, row_label, seat_number),
    KEY ix_seat_venue (venue_id),
    CONSTRAINT fk_seat_venue FOREIGN KEY (venue_id) REFERENCES venue (venue_id),
    CONSTRAINT fk_seat_section FOREIGN KEY (section_id) REFERENCES section (section_id)
) ENGINE=InnoDB;

CREATE TABLE performer (
    performer_id  BIGINT       NOT NULL PRIMARY KEY,
    name          VARCHAR(200) NOT NULL,
    created_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB;

-- version grows with every change so the Indexer can refuse to let an older message overwrite a newer one.
CREATE TABLE event (
    event_id              BIGINT        NOT NULL PRIMARY KEY,
    name                  VARCHAR(200)  NOT NULL,
    description           TEXT          NOT NULL,
    venue_id              BIGINT        NOT NULL,
    starts_at             DATETIME(3)   NOT NULL,
    ends_at               DATETIME(3)   NOT NULL,
    on_sale_at            DATETIME(3)   NOT NULL,
    status                VARCHAR(16)   NOT NULL DEFAULT 'scheduled',
    max_tickets_per_user  INT           NOT NULL DEFAULT 8,
    waiting_room          BOOLEAN       NOT NULL DEFAULT FALSE,
    version               BIGINT        NOT NULL DEFAULT 1,
    created_at            DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at            DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    KEY ix_event_starts_at (starts_at),
    KEY ix_event_venue_starts_at (venue_id, starts_at),
    CONSTRAINT fk_event_venue FOREIGN KEY (venue_id) REFERENCES venue (venue_id),
    CONSTRAINT ck_event_times CHECK (ends_at >= starts_at)
) ENGINE=InnoDB;

CREATE TABLE event_performer (
    event_id      BIGINT NOT NULL,
    performer_id  BIGINT NOT NULL,
    PRIMARY KEY (event_id, performer_id),
    KEY ix_event_performer_performer (performer_id),
    CONSTRAINT fk_event_performer_event FOREIGN KEY (event_id) REFERENCES event (event_id),
    CONSTRAINT fk_event_performer_performer FOREIGN KEY (performer_id) REFERENCES performer (performer_id)
) ENGINE=InnoDB;

-- One row per sellable seat, created with the event. Holds live in Redis; here a seat is available or sold,
-- and the confirm transaction flips it with a conditional UPDATE (DESIGN §3): the database is the final arbiter.
CREATE TABLE event_seat (
    event_id     BIGINT       NOT NULL,
    seat_id      BIGINT       NOT NULL,
    price_cents  INT          NOT NULL,
    status       VARCHAR(16)  NOT NULL DEFAULT 'available',
    booking_id   BIGINT       NULL,
    PRIMARY KEY (event_id, seat_id),
    KEY ix_event_seat_booking (booking_id),
    CONSTRAINT fk_event_seat_event FOREIGN KEY (event_id) REFERENCES event (event_id),
    CONSTRAINT fk_event_seat_seat FOREIGN KEY (seat_id) REFERENCES seat (seat_id),
    CONSTRAINT ck_event_seat_status CHECK (status IN ('available', 'sold')),
    CONSTRAINT ck_event_seat_price CHECK (price_cents >= 0)
) ENGINE=InnoDB;

-- user_id is the JWT subject, an opaque string issued by the identity provider.
CREATE TABLE `user` (
    user_id     VARCHAR(64)   NOT NULL PRIMARY KEY,
    name        VARCHAR(200)  NULL,
    email       VARCHAR(320)  NULL,
    created_at  DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB;

-- reservation_id is UNIQUE so a retried confirm of the same reservation finds the booking it already made.
CREATE TABLE booking (
    booking_id           BIGINT       NOT NULL PRIMARY KEY,
    confirmation_number  VARCHAR(16)  NOT NULL,
    reservation_id       VARCHAR(64)  NOT NULL,
    user_id              VARCHAR(64)  NOT NULL,
    event_id             BIGINT       NOT NULL,
    status               VARCHAR(16)  NOT NULL DEFAULT 'confirmed',
    total_cents          BIGINT       NOT NULL,
    payment_ref          VARCHAR(100) NULL,
    created_at           DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE KEY ux_booking_confirmation_number (confirmation_number),
    UNIQUE KEY ux_booking_reservation (reservation_id),
    KEY ix_booking_user_created (user_id, created_at),
    KEY ix_booking_event (event_id),
    CONSTRAINT fk_booking_event FOREIGN KEY (event_id) REFERENCES event (event_id)
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

-- Transactional outbox (DESIGN §4): written in the same transaction as the change it announces,
-- published to RabbitMQ by a relay, then stamped sent_at.
CREATE TABLE outbox (
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
    CONSTRAINT ck_outbox_payload CHECK (json_valid(payload))
) ENGINE=InnoDB;

-- Ids of messages (broker deliveries, payment webhooks) already handled, for idempotent consumers.
CREATE TABLE processed_message (
    id            VARCHAR(128) NOT NULL PRIMARY KEY,
    processed_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB;
