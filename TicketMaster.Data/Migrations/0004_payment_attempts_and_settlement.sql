-- A reservation's payment is tried in numbered attempts: a confirm after a declined or voided attempt starts the
-- next one under a new idempotency key ("{reservation_id}:{attempt}"), so the provider authorizes anew instead of
-- replaying the voided authorization. While an attempt is live (authorizing, authorized) every confirm of the
-- reservation shares it, so concurrent confirms never leave two authorizations.
-- hold_expires_at: until then the fan may still complete the confirm, so the reconciler leaves the attempt alone.
-- settle_failures / next_settle_at: the reconciler settles each row on its own; a row the provider keeps refusing
-- waits longer each time (and is counted) instead of holding up the others.
ALTER TABLE payment
    ADD COLUMN attempt          INT          NOT NULL DEFAULT 1 AFTER provider_ref,
    ADD COLUMN hold_expires_at  DATETIME(3)  NULL AFTER booking_id,
    ADD COLUMN settle_failures  INT          NOT NULL DEFAULT 0 AFTER hold_expires_at,
    ADD COLUMN next_settle_at   DATETIME(3)  NULL AFTER settle_failures;

-- voiding: the reconciler (or a confirm whose seats were lost) has taken the attempt away from any booking and
-- owes the provider a void; it stays so until the provider confirmed it.
ALTER TABLE payment DROP CONSTRAINT ck_payment_status;
ALTER TABLE payment ADD CONSTRAINT ck_payment_status
    CHECK (status IN ('authorizing', 'authorized', 'captured', 'voiding', 'voided', 'refunded', 'failed'));
