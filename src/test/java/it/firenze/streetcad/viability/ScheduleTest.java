package it.firenze.streetcad.viability;

import org.junit.jupiter.api.Test;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Validities with recurring windows in Florence's local time, across the clock changes. */
class ScheduleTest {

    /** The Tuesday market: every Tuesday 06:00–14:00 local time, all of 2026–2027. */
    static final Schedule MARKET = new Schedule(Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2028-01-01T00:00:00Z"),
            List.of(new Schedule.Window(Set.of(DayOfWeek.TUESDAY), LocalTime.of(6, 0), LocalTime.of(14, 0))));

    @Test
    void theTuesdayMarketOpensAtSixLocalTimeOnBothSidesOfTheMarchClockChange() {
        // Sunday 28 March 2027 the clocks go forward: Tuesday 23rd is UTC+1, Tuesday 30th UTC+2.
        assertFalse(MARKET.activeAt(Instant.parse("2027-03-23T04:30:00Z")), "05:30 CET: not yet");
        assertTrue(MARKET.activeAt(Instant.parse("2027-03-23T05:30:00Z")), "06:30 CET");
        assertTrue(MARKET.activeAt(Instant.parse("2027-03-23T12:30:00Z")), "13:30 CET");
        assertFalse(MARKET.activeAt(Instant.parse("2027-03-23T13:30:00Z")), "14:30 CET: over");
        assertTrue(MARKET.activeAt(Instant.parse("2027-03-30T04:30:00Z")), "06:30 CEST");
        assertFalse(MARKET.activeAt(Instant.parse("2027-03-30T03:30:00Z")), "05:30 CEST: not yet");
        assertFalse(MARKET.activeAt(Instant.parse("2027-03-30T12:30:00Z")), "14:30 CEST: over");
        assertFalse(MARKET.activeAt(Instant.parse("2027-03-31T05:30:00Z")), "a Wednesday");
    }

    @Test
    void theTuesdayMarketOpensAtSixLocalTimeOnBothSidesOfTheOctoberClockChange() {
        // Sunday 25 October 2026 the clocks go back: Tuesday 20th is UTC+2, Tuesday 27th UTC+1.
        assertTrue(MARKET.activeAt(Instant.parse("2026-10-20T04:30:00Z")), "06:30 CEST");
        assertFalse(MARKET.activeAt(Instant.parse("2026-10-20T12:30:00Z")), "14:30 CEST: over");
        assertFalse(MARKET.activeAt(Instant.parse("2026-10-27T04:30:00Z")), "05:30 CET: not yet");
        assertTrue(MARKET.activeAt(Instant.parse("2026-10-27T05:30:00Z")), "06:30 CET");
        assertTrue(MARKET.activeAt(Instant.parse("2026-10-27T12:30:00Z")), "13:30 CET");
    }

    @Test
    void windowsInLocalTimeMeetOnlyWhenTheirHoursDoWhateverTheOffset() {
        Schedule afternoon = weekly(DayOfWeek.TUESDAY, 14, 16, "2026-10-19T00:00:00Z", "2026-11-05T00:00:00Z");
        Schedule lunch = weekly(DayOfWeek.TUESDAY, 13, 15, "2026-10-19T00:00:00Z", "2026-11-05T00:00:00Z");
        Schedule wednesday = weekly(DayOfWeek.WEDNESDAY, 6, 14, "2026-10-19T00:00:00Z", "2026-11-05T00:00:00Z");
        assertFalse(MARKET.overlaps(afternoon), "14:00 is when the market ends, before and after the change");
        assertTrue(MARKET.overlaps(lunch));
        assertFalse(MARKET.overlaps(wednesday));
        assertTrue(MARKET.overlaps(new Schedule(Instant.parse("2026-10-27T12:00:00Z"),
                Instant.parse("2026-10-27T12:30:00Z"), List.of())), "13:00 CET on a Tuesday");
        assertFalse(MARKET.overlaps(new Schedule(Instant.parse("2026-10-27T13:00:00Z"),
                Instant.parse("2026-10-27T18:00:00Z"), List.of())), "from 14:00 CET");
    }

    @Test
    void aNightWindowRunsPastMidnight() {
        Schedule nights = weekly(DayOfWeek.FRIDAY, 22, 6, "2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z");
        assertTrue(nights.activeAt(Instant.parse("2026-06-06T02:00:00Z")), "Saturday 04:00 CEST, the Friday night");
        assertFalse(nights.activeAt(Instant.parse("2026-06-07T02:00:00Z")), "Sunday 04:00: no Saturday night");
    }

    private static Schedule weekly(DayOfWeek day, int from, int to, String start, String end) {
        return new Schedule(Instant.parse(start), Instant.parse(end),
                List.of(new Schedule.Window(Set.of(day), LocalTime.of(from, 0), LocalTime.of(to, 0))));
    }
}
