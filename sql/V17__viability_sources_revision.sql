-- GET /network/state names each measure's ordinance or works site, and keeps its answers per revision of what
-- they show (issue 14): ordinances and works get a revision of their own, 'sources'. Not 'measures': a works site
-- proposed without measures changes no route, and must not make every instance reload the measures it routes by.
ALTER TABLE viability_revision DROP CONSTRAINT viability_revision_subject_check;
ALTER TABLE viability_revision ADD CONSTRAINT viability_revision_subject_check
    CHECK (subject IN ('network', 'measures', 'sources'));
INSERT INTO viability_revision (subject) VALUES ('sources');

CREATE TRIGGER ordinance_viability_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ordinance
    FOR EACH STATEMENT EXECUTE FUNCTION bump_viability_revision('sources');
CREATE TRIGGER works_viability_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON works
    FOR EACH STATEMENT EXECUTE FUNCTION bump_viability_revision('sources');
