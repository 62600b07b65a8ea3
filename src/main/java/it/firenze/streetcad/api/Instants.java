package it.firenze.streetcad.api;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The instants a request may name (a datetime, an as-of, a validity, a CQL2 timestamp): RFC 3339 dates and date-times,
 * whose year has four digits (RFC 3339's {@code date-fullyear}) and is not 0000. Java reads more ({@code +300000-01-01}
 * or {@code 0000-01-01}), which PostgreSQL cannot hold or read, so that such an instant failed in the database as a
 * 500 instead of being refused as the client's mistake. Each caller says the mistake in its own terms.
 */
public final class Instants {

    private Instants() {
    }

    /** An RFC 3339 date-time with its offset. */
    public static OffsetDateTime dateTime(String text) {
        return fourDigitYear(OffsetDateTime.parse(text), text);
    }

    /** An RFC 3339 date-time, or a full-date taken as its start in UTC. */
    public static OffsetDateTime dateOrDateTime(String text) {
        if (text.length() == 10) return fourDigitYear(LocalDate.parse(text).atStartOfDay().atOffset(ZoneOffset.UTC), text);
        return dateTime(text);
    }

    private static OffsetDateTime fourDigitYear(OffsetDateTime instant, String text) {
        if (instant.getYear() < 1 || instant.getYear() > 9999) {
            throw new DateTimeParseException("the year is not one of 0001 to 9999", text, 0);
        }
        return instant;
    }
}
