package it.firenze.streetcad.editing;

import it.firenze.streetcad.features.ItemResponses.Expected;

/**
 * Why an edit was not made, in terms a client can act on. {@link Reason#INVALID} names the property at fault;
 * {@link Reason#STALE} carries the version the item has now, or names the field when the stale item is another
 * one than the request's.
 */
public final class EditRefused extends RuntimeException {

    /** {@link #RETIRED}: the item exists but has left the current view (V40); only a revert takes it back. */
    public enum Reason { NOT_FOUND, RETIRED, STALE, INVALID, CONFLICT }

    private final Reason reason;
    private final String field;
    private final long currentVersion;

    private EditRefused(Reason reason, String field, long currentVersion, String message) {
        super(message);
        this.reason = reason;
        this.field = field;
        this.currentVersion = currentVersion;
    }

    static EditRefused notFound(EditableType t, long id) {
        return new EditRefused(Reason.NOT_FOUND, null, 0, "There is no feature " + id + " in " + t.collection() + ".");
    }

    static EditRefused retired(EditableType t, long id) {
        return new EditRefused(Reason.RETIRED, null, 0, t.collection() + " " + id + " is retired.");
    }

    static EditRefused stale(EditableType t, long id, long current, Expected expected) {
        return new EditRefused(Reason.STALE, null, current, t.collection() + " " + id + " is at version " + current
                + ", not " + expected + ": someone else changed it since you read it.");
    }

    /** Another item than the one addressed has moved on (the element a merge names): a 412 naming the field. */
    static EditRefused staleOther(String field, String message) {
        return new EditRefused(Reason.STALE, field, 0, message);
    }

    static EditRefused invalid(String field, String message) {
        return new EditRefused(Reason.INVALID, field, 0, message);
    }

    static EditRefused conflict(String message) {
        return new EditRefused(Reason.CONFLICT, null, 0, message);
    }

    public Reason reason() {
        return reason;
    }

    /** The property at fault ({@code geometry} for the geometry), for {@link Reason#INVALID} and another item's {@link Reason#STALE}. */
    public String field() {
        return field;
    }

    public long currentVersion() {
        return currentVersion;
    }
}
