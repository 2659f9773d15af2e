-- Each service relays only its own outbox: BookingApi's messages get a table of their own, and what it had not yet
-- published moves there (the catalog keeps `outbox`).
CREATE TABLE booking_outbox LIKE outbox;

INSERT INTO booking_outbox (aggregate_type, aggregate_id, message_type, payload, traceparent, tracestate, created_at)
SELECT aggregate_type, aggregate_id, message_type, payload, traceparent, tracestate, created_at
FROM outbox WHERE aggregate_type = 'booking' AND sent_at IS NULL;

DELETE FROM outbox WHERE aggregate_type = 'booking' AND sent_at IS NULL;
