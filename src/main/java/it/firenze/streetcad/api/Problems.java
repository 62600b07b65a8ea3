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
        };
    }
}
