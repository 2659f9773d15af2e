-- The catalog's tables (EventsApi alone migrates and writes them; docs/DESIGN.md §2). Times are UTC. Ids are
-- application-generated 64-bit values. User ids are JWT subjects: opaque strings compared byte for byte (binary
-- collation) of at most 128 characters.

-- Every venue and event belongs to the organizer who created it (owner_id = the creator's sub).
CREATE TABLE venue (
    venue_id    BIGINT        NOT NULL PRIMARY KEY,
    owner_id    VARCHAR(128)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    name        VARCHAR(200)  NOT NULL,
    city        VARCHAR(100)  NOT NULL,
    address     VARCHAR(300)  NOT NULL,
    created_at  DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    KEY ix_venue_city (city),
    KEY ix_venue_owner (owner_id)
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

-- version grows with every change (the event's fields, its staff) so that a consumer can refuse to let an older
-- message overwrite a newer one.
CREATE TABLE event (
    event_id              BIGINT        NOT NULL PRIMARY KEY,
    owner_id              VARCHAR(128)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
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
    KEY ix_event_owner (owner_id),
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

-- The door staff of an event, set by its owner; the sale learns the list from event.sale_changed.
CREATE TABLE event_staff (
    event_id  BIGINT        NOT NULL,
    user_id   VARCHAR(128)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    PRIMARY KEY (event_id, user_id),
    CONSTRAINT fk_event_staff_event FOREIGN KEY (event_id) REFERENCES event (event_id)
) ENGINE=InnoDB;

-- Each event's price per section (the sale's seats take their prices from here, through the listing).
CREATE TABLE event_price (
    event_id     BIGINT  NOT NULL,
    section_id   BIGINT  NOT NULL,
    price_cents  INT     NOT NULL,
    PRIMARY KEY (event_id, section_id),
    CONSTRAINT fk_event_price_event FOREIGN KEY (event_id) REFERENCES event (event_id),
    CONSTRAINT ck_event_price CHECK (price_cents >= 0)
) ENGINE=InnoDB;

-- What the catalog shows of a sale: the event's seat count and its sold seats, counted from the booking.confirmed
-- messages it consumes (each booking once: event_sold_booking).
CREATE TABLE event_sales (
    event_id     BIGINT  NOT NULL PRIMARY KEY,
    seats_total  BIGINT  NOT NULL,
    seats_sold   BIGINT  NOT NULL DEFAULT 0,
    CONSTRAINT fk_event_sales_event FOREIGN KEY (event_id) REFERENCES event (event_id)
) ENGINE=InnoDB;

CREATE TABLE event_sold_booking (
    booking_id   BIGINT       NOT NULL PRIMARY KEY,
    event_id     BIGINT       NOT NULL,
    seats        INT          NOT NULL,
    counted_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB;

-- The catalog's transactional outbox (docs/DESIGN.md §4): written in the same transaction as the change it
-- announces, published to RabbitMQ by EventsApi's relay, then stamped sent_at.
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
