-- Handled message ids are pruned after a retention (RowPruner): the pruner finds the old ones by this index.
CREATE INDEX ix_processed_message_processed_at ON processed_message (processed_at);
