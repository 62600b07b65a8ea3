-- An append's findings are recorded while its commit writes the elements (ImportPipeline.commit): the validation row
-- they name is inserted by the commit's transaction, so that it exists exactly when the elements do, and the issues
-- are inserted meanwhile by a transaction of their own that commits after it. Their check of validation_id can only
-- pass once the commit's transaction has committed, so that transaction defers it to its own commit
-- (SET CONSTRAINTS … DEFERRED); every other writer still checks each row at once.
ALTER TABLE topology_issue ALTER CONSTRAINT topology_issue_validation_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
