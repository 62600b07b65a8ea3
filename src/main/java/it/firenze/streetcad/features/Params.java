package it.firenze.streetcad.features;

import it.firenze.streetcad.api.Instants;
import it.firenze.streetcad.api.ProblemException;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/** Reading request parameters strictly: anything unreadable is a 400 that names the parameter. */
public final class Params {

    /** Compiled once: String.matches compiled its pattern on every number of every bbox (3 % of a page's JVM time). */
    private static final Pattern NUMBER = Pattern.compile("[-+]?[0-9.eE+-]+");
    private static final Pattern INTEGER = Pattern.compile("[-+]?\\d{1,18}");
    private static final Pattern NON_NEGATIVE = Pattern.compile("\\+?\\d{1,18}");
    private static final Pattern SPACED_OFFSET = Pattern.compile("(?<=:\\d\\d(?:\\.\\d{1,9})?) (\\d\\d:\\d\\d)$");

    private Params() {
    }

    /** A comma-separated list of finite numbers whose count is one of {@code counts}. */
    public static double[] numbers(String parameter, String text, int... counts) {
        String[] parts = text.split(",", -1);
        boolean countOk = false;
        for (int c : counts) countOk |= parts.length == c;
        if (!countOk) {
            throw ProblemException.badRequest(parameter, parameter + " must have " + describe(counts)
                    + " comma-separated numbers, not " + parts.length + ".");
        }
        double[] values = new double[parts.length];
        for (int i = 0; i < parts.length; i++) values[i] = number(parameter, parts[i]);
        return values;
    }

    public static double number(String parameter, String text) {
        try {
            double v = Double.parseDouble(text.strip());
            if (Double.isFinite(v) && NUMBER.matcher(text.strip()).matches()) return v;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ProblemException.badRequest(parameter, parameter + " must be a number; '" + abbreviate(text) + "' is not.");
    }

    /** A positive integer; values above {@code maximum} are clamped to it, as the API documents. */
    public static int limit(String parameter, String text, int maximum) {
        if (!INTEGER.matcher(text.strip()).matches()) {
            throw ProblemException.badRequest(parameter, parameter + " must be a positive integer; '" + abbreviate(text)
                    + "' is not.");
        }
        long v = Long.parseLong(text.strip());
        if (v < 1) throw ProblemException.badRequest(parameter, parameter + " must be at least 1, not " + v + ".");
        return (int) Math.min(v, maximum);
    }

    /** An integer from 0 to {@code maximum}; a larger one is named as too large, not as unreadable. */
    public static int nonNegative(String parameter, String text, int maximum) {
        if (!NON_NEGATIVE.matcher(text.strip()).matches()) {
            throw ProblemException.badRequest(parameter, parameter + " must be an integer of 0 or more; '"
                    + abbreviate(text) + "' is not.");
        }
        long v = Long.parseLong(text.strip());
        if (v > maximum) {
            throw ProblemException.badRequest(parameter, parameter + " must be at most " + maximum + ", not " + v + ".");
        }
        return (int) v;
    }

    /** An RFC 3339 date-time, or a date (taken as its start, UTC). */
    public static OffsetDateTime instant(String parameter, String text) {
        try {
            // A positive offset's '+' that the client did not escape in its URL arrives as a space
            // (2026-03-29T03:15:00 02:00): a space before a closing HH:MM can only have been that '+'.
            return Instants.dateOrDateTime(SPACED_OFFSET.matcher(text).replaceFirst("+$1").replace(' ', 'T'));
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(parameter, parameter + " must be an RFC 3339 date or date-time such as "
                    + "2024-05-01T10:00:00Z; '" + abbreviate(text) + "' is not.");
        }
    }

    /**
     * The last instant {@code text} covers: a date-time is an instant, a date (RFC 3339 full-date) the whole UTC day,
     * up to the microsecond (PostgreSQL's resolution) before the next midnight. So {@code datetime=2026-12-06} finds
     * what was valid at any time that day, not only at its first instant.
     */
    public static OffsetDateTime instantEnd(String parameter, String text) {
        OffsetDateTime start = instant(parameter, text);
        return text.length() == 10 ? start.plusDays(1).minusNanos(1_000) : start;
    }

    /**
     * An OGC API {@code datetime}: an instant, or an interval start/end with at most one open end ({@code ..} or
     * empty), as the first and the last instant it holds, null where open. A date stands for its whole day, from
     * its start to its end; an instant is both.
     */
    public static OffsetDateTime[] interval(String parameter, String text) {
        String[] ends = text.split("/", -1);
        if (ends.length > 2 || (ends.length == 2 && open(ends[0]) && open(ends[1]))) {
            throw ProblemException.badRequest(parameter, parameter + " must be an instant or an interval start/end "
                    + "with at most one open end (..).");
        }
        OffsetDateTime from = open(ends[0]) ? null : instant(parameter, ends[0]);
        String last = ends[ends.length - 1];
        OffsetDateTime to = open(last) ? null : instantEnd(parameter, last);
        if (from != null && to != null && from.isAfter(to)) {
            throw ProblemException.badRequest(parameter, "The interval in " + parameter + " ends before it starts.");
        }
        return new OffsetDateTime[]{from, to};
    }

    private static boolean open(String end) {
        return end.isEmpty() || end.equals("..");
    }

    /**
     * The id a path names. The one rule for ids in paths, on every route: an id no resource can have (not a whole
     * number, or past any id) names a resource that does not exist, and the answer is 404, as for an id that could be
     * one but is not — never 400 on some routes and 404 on others. OGC API Features (17-069r3, its table of HTTP
     * status codes) answers 404 when "the requested resource does not exist on the server. For example, a path
     * parameter had an incorrect value". Negative ids are ids too (the topology issues derived from the cadastre, V28).
     *
     * @param what the resource, for the answer: "There is no {what} '{text}'."
     */
    public static long pathId(String text, String what) {
        if (!INTEGER.matcher(text).matches() || text.startsWith("+")) {
            throw ProblemException.notFound("There is no " + what + " '" + abbreviate(text) + "'.");
        }
        return Long.parseLong(text);
    }

    /** Echoing a client's text in an error is helpful; echoing a megabyte of it is not. */
    public static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }

    private static String describe(int[] counts) {
        if (counts.length == 1) return Integer.toString(counts[0]);
        return counts[0] + " or " + counts[1];
    }
}
