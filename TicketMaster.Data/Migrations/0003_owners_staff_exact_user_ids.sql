-- User ids are JWT subjects: opaque strings naming one person exactly. They compare byte for byte (binary
-- collation: "Alice-1" and "álice-1" are other people than "alice-1", whatever the server's default collation) and
-- are at most 128 characters (a longer or missing subject is refused at authentication).
ALTER TABLE `user` MODIFY user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;
ALTER TABLE booking MODIFY user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;
ALTER TABLE payment MODIFY user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;

-- Every venue and event belongs to the organizer who created it (owner_id = the creator's sub); only the owner or
-- an admin changes it. Rows created before ownership existed get the empty owner: no token has an empty subject,
-- so only an admin can manage them.
ALTER TABLE venue ADD COLUMN owner_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '' AFTER venue_id,
    ADD KEY ix_venue_owner (owner_id);
ALTER TABLE venue ALTER COLUMN owner_id DROP DEFAULT;
ALTER TABLE event ADD COLUMN owner_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '' AFTER event_id,
    ADD KEY ix_event_owner (owner_id);
ALTER TABLE event ALTER COLUMN owner_id DROP DEFAULT;

-- The door staff of an event, set by its owner: check-in admits a ticket only for staff of the ticket's event.
CREATE TABLE event_staff (
    event_id  BIGINT        NOT NULL,
    user_id   VARCHAR(128)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    PRIMARY KEY (event_id, user_id),
    CONSTRAINT fk_event_staff_event FOREIGN KEY (event_id) REFERENCES event (event_id)
) ENGINE=InnoDB;
