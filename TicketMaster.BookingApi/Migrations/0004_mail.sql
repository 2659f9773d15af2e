-- The mail outbox: one row per message owed to a fan, written in the transaction of the change it tells of (a booking,
-- a refund, a transfer, a new date), so a crash can never lose one. The key names what the mail is about and for whom:
-- a redelivered change writes nothing twice, and the Message-Id is made from it (a resent mail is the same mail).
-- What a mail shows is read when it is sent. pending → sent, or no_address (the fan's token never carried an email),
-- or failed (the server refused it every time); done_at is when it left pending, and such rows are pruned after the
-- retention.
CREATE TABLE mail (
    kind             VARCHAR(32)   NOT NULL,
    subject_id       BIGINT        NOT NULL,
    subject_version  BIGINT        NOT NULL DEFAULT 0,
    user_id          VARCHAR(128)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    status           VARCHAR(16)   NOT NULL DEFAULT 'pending',
    attempts         INT           NOT NULL DEFAULT 0,
    next_attempt_at  DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    created_at       DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    done_at          DATETIME(3)   NULL,
    PRIMARY KEY (kind, subject_id, subject_version, user_id),
    KEY ix_mail_due (status, next_attempt_at),
    KEY ix_mail_done (done_at),
    CONSTRAINT ck_mail_kind CHECK (kind IN ('booking_confirmed', 'refund', 'ticket_sent', 'ticket_received', 'event_rescheduled',
        'event_cancelled')),
    CONSTRAINT ck_mail_status CHECK (status IN ('pending', 'sent', 'no_address', 'failed'))
) ENGINE=InnoDB;
