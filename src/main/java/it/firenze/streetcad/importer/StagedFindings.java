package it.firenze.streetcad.importer;

/**
 * What a committed import leaves for a check that {@link PreCommitCheck#recordsFindings records its findings}:
 * every finding of its pre-commit check, and the elements the commit touched. Both are tables the importer drops
 * once the follow-up is done.
 *
 * @param findings table of {@code rule, severity, explanation, parameters jsonb, location geometry (storage CRS),
 *                 feature_numbers bigint[], fingerprint}
 * @param elements table of {@code feature_number, element_id}: the element each staged feature became (added or
 *                 updated in place); a null feature_number marks an element the commit touched without a staged
 *                 feature (retired, or cut at a replace's edge)
 * @param meetsNoOtherElement the commit wrote into a cadastre that held no element: every live element is one it
 *                 wrote, so the import has no seams with others to judge again
 */
public record StagedFindings(String findings, String elements, boolean meetsNoOtherElement) {

    /** The same tables, for a commit into a cadastre that held no element. */
    StagedFindings intoAnEmptyCadastre() {
        return new StagedFindings(findings, elements, true);
    }
}
