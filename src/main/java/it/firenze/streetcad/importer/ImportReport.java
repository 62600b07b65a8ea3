package it.firenze.streetcad.importer;

import com.fasterxml.jackson.annotation.JsonInclude;
import it.firenze.streetcad.importer.report.Note;

import java.util.List;
import java.util.Map;

/**
 * What an import found before anything was written, and, once committed, what it changed. Stored with the job
 * as JSON and shown by the CLI and {@code GET /imports/{id}}.
 *
 * @param problems     the first {@link #LISTED_PROBLEMS} problems in feature order; {@code problemsByField} counts all
 * @param findings     the first {@link #LISTED_PROBLEMS} pre-commit findings, most severe first; raw lines that are not
 *                     a network yet can have tens of thousands, which would make the job's JSON megabytes
 * @param findingsBySeverity every finding counted by severity; {@code findingsByRule} by rule and severity
 * @param stageSeconds how long reading, staging, reprojecting and validating took
 * @param extent       the staged lines' extent in degrees (lon/lat, WGS 84), to see at a glance where they landed
 * @param notices      what the report says about the files or the data as a whole: a missing .dbf or shapes it has
 *                     no record for, fields whose names differ only by case, data outside the storage CRS's area
 *                     of use or far from the cadastre; each with its code ({@link it.firenze.streetcad.importer.report.ReportCode})
 * @param zm           where the source's Z and M values are kept (source_attributes), or that it has none
 * @param planned      what a commit will do to the cadastre as it stood when the import was checked (the commit
 *                     itself, rolled back): a commit that would do otherwise is refused
 * @param committed    what the commit did, once committed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImportReport(String source, String layer, String mapping, String mode, Crs crs, Encoding encoding,
                           String zm, Counts counts, List<ImportProblem> problems,
                           Map<String, Long> problemsByField, List<Finding> findings,
                           Map<String, Long> findingsBySeverity, Map<String, Long> findingsByRule,
                           double stageSeconds, Extent extent, List<Note> notices, Committed planned,
                           Committed committed) {

    public static final int LISTED_PROBLEMS = 1000;

    /** The source CRS (EPSG), where it was found, and the CRS the cadastre stores. */
    public record Crs(int srid, String source, int storageSrid) {
    }

    public record Encoding(String charset, String source) {
    }

    /**
     * @param read     features read from the source (deleted records not included)
     * @param deleted  records the source marked deleted, skipped
     * @param staged   rows in the staging table
     * @param invalid  staged features with at least one error: kept out of a commit
     * @param errors   problems of severity error (a feature may have several)
     */
    public record Counts(long read, long deleted, long staged, long invalid, long errors, long warnings) {
    }

    /** A pre-commit check's finding (topology), its location as WKT in {@code locationCrs} (the storage CRS). */
    public record Finding(String rule, String severity, String explanation, List<Long> featureNumbers, String location,
                          String locationCrs) {
    }

    /** A box in degrees of longitude and latitude (WGS 84). */
    public record Extent(double minLon, double minLat, double maxLon, double maxLat) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "lon %.5f to %.5f, lat %.5f to %.5f", minLon, maxLon, minLat, maxLat);
        }
    }

    /**
     * What a commit changes in the cadastre, and how long its transaction took.
     *
     * @param deleted      elements retired (their validity ended; rows, ids and history stay)
     * @param cut          elements crossing a replace's area cut at its edge (their stretch outside kept)
     * @param roadsRetired roads retired because a replace left them without a live element
     * @param replacedVersions a digest of the elements it updated, retired or cut, each at the version it replaced
     *                     (null when none): a commit refuses when its own differs from its check's
     */
    public record Committed(String mode, long inserted, long updated, long unchanged, long deleted, long cut,
                            long roadsCreated, long roadsRetired, long skippedInvalid, String replacedVersions,
                            double seconds) {

        /** The same counts, whatever the time each took. */
        boolean sameCounts(Committed o) {
            return inserted == o.inserted && updated == o.updated && unchanged == o.unchanged && deleted == o.deleted
                    && cut == o.cut && roadsCreated == o.roadsCreated && roadsRetired == o.roadsRetired
                    && skippedInvalid == o.skippedInvalid;
        }

        /** The same elements replaced at the same versions: nobody edited what this commit updates or retires. */
        boolean sameVersionsReplaced(Committed o) {
            return java.util.Objects.equals(replacedVersions, o.replacedVersions);
        }

        /** The counts in words, for the CLI and for a refusal. */
        public String changes() {
            return String.format(java.util.Locale.ROOT, "%d elements inserted, %d updated, %d unchanged, %d retired, %d cut at "
                    + "the area's edge; %d roads created, %d retired", inserted, updated, unchanged, deleted, cut,
                    roadsCreated, roadsRetired);
        }
    }

    public long findingCount() {
        return findingsBySeverity.values().stream().mapToLong(Long::longValue).sum();
    }

    public long findingsOfSeverity(String severity) {
        return findingsBySeverity.getOrDefault(severity, 0L);
    }

    public boolean clean() {
        return counts.invalid() == 0;
    }

    ImportReport withCommitted(Committed c) {
        return new ImportReport(source, layer, mapping, mode, crs, encoding, zm, counts, problems, problemsByField,
                findings, findingsBySeverity, findingsByRule, stageSeconds, extent, notices, planned, c);
    }
}
