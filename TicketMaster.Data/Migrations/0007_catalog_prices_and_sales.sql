-- The catalog keeps what it shows of a sale itself instead of reading the sale's seats: each event's price per
-- section, and its seat count and sold seats, counted from the booking.confirmed messages it consumes (each booking
-- once: event_sold_booking).
CREATE TABLE event_price (
    event_id     BIGINT  NOT NULL,
    section_id   BIGINT  NOT NULL,
    price_cents  INT     NOT NULL,
    PRIMARY KEY (event_id, section_id),
    CONSTRAINT fk_event_price_event FOREIGN KEY (event_id) REFERENCES event (event_id),
    CONSTRAINT ck_event_price CHECK (price_cents >= 0)
) ENGINE=InnoDB;

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

INSERT INTO event_price (event_id, section_id, price_cents)
SELECT es.event_id, s.section_id, MIN(es.price_cents)
FROM event_seat es JOIN seat s ON s.seat_id = es.seat_id
GROUP BY es.event_id, s.section_id;

INSERT INTO event_sales (event_id, seats_total, seats_sold)
SELECT event_id, COUNT(*), SUM(status = 'sold') FROM event_seat GROUP BY event_id;

INSERT INTO event_sold_booking (booking_id, event_id, seats)
SELECT booking_id, event_id, COUNT(*) FROM ticket GROUP BY booking_id, event_id;
