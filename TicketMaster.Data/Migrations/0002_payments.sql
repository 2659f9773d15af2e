-- One row per reservation that reached the payment provider (DESIGN §3): written before the provider is called,
-- so a process that dies between authorization and commit leaves a trace the reconciler can settle
-- (no charge without a ticket, no ticket without a charge).
CREATE TABLE payment (
    reservation_id  VARCHAR(64)   NOT NULL PRIMARY KEY,
    user_id         VARCHAR(64)   NOT NULL,
    event_id        BIGINT        NOT NULL,
    amount_cents    BIGINT        NOT NULL,
    provider        VARCHAR(16)   NOT NULL,
    provider_ref    VARCHAR(100)  NULL,
    -- what the reconciler needs to ask the provider again about an authorization it never heard back from
    idempotency_key VARCHAR(300)  NOT NULL,
    method          VARCHAR(100)  NOT NULL,
    status          VARCHAR(16)   NOT NULL,
    booking_id      BIGINT        NULL,
    created_at      DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at      DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    KEY ix_payment_status_updated (status, updated_at),
    CONSTRAINT ck_payment_status CHECK (status IN ('authorizing', 'authorized', 'captured', 'voided', 'refunded', 'failed'))
) ENGINE=InnoDB;
