package it.firenze.streetcad.api;

import it.firenze.streetcad.db.DatabaseFailure;

/** The problems every module may answer with when the database, not the request, is at fault. */
public final class Problems {

    /** Seconds a client is asked to wait before retrying a 503 or 429. */
    public static final int RETRY_AFTER_SECONDS = 2;

    private Problems() {
    }

    public static Problem database(DatabaseFailure failure) {
        return switch (failure) {
            case UNAVAILABLE -> Problem.of(503, "Database unavailable", "The cadastre database cannot be reached "
                    + "right now; try again in a few seconds.");
            case TIMED_OUT -> Problem.of(503, "Database timeout", "The cadastre database took too long to answer this "
                    + "request; try again later or ask for less (a smaller area, a lower limit).");
            case LOCKED -> locked(false);
        };
    }

    /**
     * A read that gave up waiting for a table another transaction holds whole ({@link DatabaseFailure#LOCKED}), said
     * as far as StreetCad knows whose lock it is: an import's commit when the import jobs say one is committing (a
     * first load holds road_element until it ends, a minute for a million lines), else someone else's (a psql LOCK,
     * a migration, a VACUUM FULL), which it cannot name, and must not call a load.
     */
    public static Problem locked(boolean importCommitting) {
        if (importCommitting) {
            return Problem.of(503, "Cadastre being loaded", "The data this request reads is locked by a write that "
                    + "holds its table whole: an import's first load of the cadastre holds the road elements until its "
                    + "commit ends (about a minute for a million lines; /jobs?kind=import&state=running shows it). Try "
                    + "again in a few seconds; other collections answer meanwhile.").withCode("import-in-progress");
        }
        return Problem.of(503, "Cadastre locked", "The cadastre is locked by another operation: the data this request "
                + "reads is in a table another database session holds whole (no import is committing). Try again in a "
                + "few seconds; other collections answer meanwhile.").withCode("cadastre-locked");
    }
}
