package it.firenze.streetcad.viability;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * When a measure or a works phase holds: a validity (from, to; to open = until revoked) and, optionally,
 * recurring windows in Florence's local time ("every Tuesday 06:00–14:00" for the market). Windows are wall-clock
 * times in Europe/Rome, so the market opens at 06:00 on both sides of a clock change: the instant moves with it.
 */
public record Schedule(Instant from, Instant to, List<Window> windows) {

    /** Ordinances and works are written in Florence's time. */
    public static final ZoneId ZONE = ZoneId.of("Europe/Rome");
    /** Days past which a conflict check stops looking: a weekly pattern has repeated long before. */
    private static final int MAX_DAYS_CHECKED = 400;

    public Schedule {
        windows = List.copyOf(windows);
        // An empty validity (to = from) is a measure that stopped binding before it began: it never holds (V37).
        if (to != null && to.isBefore(from)) throw new IllegalArgumentException("valid_to must not be before valid_from");
    }

    /**
     * A recurring window: on these days, from {@code start} to {@code end} local time; an end at or before the
     * start runs past midnight into the next day (a night closure 22:00–06:00).
     */
    public record Window(Set<DayOfWeek> days, LocalTime start, LocalTime end) {
        public Window {
            days = days.isEmpty() ? EnumSet.allOf(DayOfWeek.class) : EnumSet.copyOf(days);
        }

        /**
         * The window's occurrence that starts on {@code date}, if it runs that day: the instants at which Florence's
         * clocks read a time inside it. Usually one interval; on the day the clocks go forward the hour they skip is
         * never read (01:30–02:30 ends at 03:00 CEST, 02:30–03:30 begins then), and on the day they go back the hour
         * they repeat is read twice (01:30–02:30 holds again from 02:00 to 02:30 CET): two intervals.
         */
        List<Instant[]> occurrenceOn(LocalDate date) {
            if (!days.contains(date.getDayOfWeek())) return List.of();
            LocalDateTime s = date.atTime(start);
            LocalDateTime e = (end.isAfter(start) ? date : date.plusDays(1)).atTime(end);
            return wallClock(s, e);
        }

        /** The instants whose wall-clock time in {@link #ZONE} lies in [s, e), walking the zone's offsets. */
        private static List<Instant[]> wallClock(LocalDateTime s, LocalDateTime e) {
            ZoneRules rules = ZONE.getRules();
            List<Instant[]> out = new ArrayList<>(1);
            // Each stretch of time with one offset reads the wall clock one way: clip [s, e) read at that offset
            // to the stretch. The earliest and latest offsets anywhere bound where the stretches are looked for.
            Instant at = s.toInstant(ZoneOffset.MAX);
            Instant last = e.toInstant(ZoneOffset.MIN);
            while (at.isBefore(last)) {
                ZoneOffsetTransition next = rules.nextTransition(at);
                Instant until = next == null || next.getInstant().isAfter(last) ? last : next.getInstant();
                ZoneOffset offset = rules.getOffset(at);
                Instant a = s.toInstant(offset), b = e.toInstant(offset);
                if (a.isBefore(at)) a = at;
                if (b.isAfter(until)) b = until;
                if (a.isBefore(b)) {
                    Instant[] previous = out.isEmpty() ? null : out.getLast();
                    if (previous != null && previous[1].equals(a)) previous[1] = b;
                    else out.add(new Instant[]{a, b});
                }
                at = until;
            }
            return out;
        }

        /** The two-letter day codes (iCalendar BYDAY) clients write: MO, TU, WE, TH, FR, SA, SU. */
        public static DayOfWeek day(String code) {
            for (DayOfWeek d : DayOfWeek.values()) {
                if (code(d).equals(code.toUpperCase(Locale.ROOT))) return d;
            }
            throw new IllegalArgumentException("'" + code + "' is not a day: use MO, TU, WE, TH, FR, SA or SU");
        }

        public static String code(DayOfWeek d) {
            return d.name().substring(0, 2);
        }
    }

    /** Whether the schedule holds at {@code t}. */
    public boolean activeAt(Instant t) {
        if (t.isBefore(from) || (to != null && !t.isBefore(to))) return false;
        if (windows.isEmpty()) return true;
        LocalDate today = t.atZone(ZONE).toLocalDate();
        // A window that started yesterday may run past midnight into today.
        for (LocalDate d : List.of(today.minusDays(1), today)) {
            for (Window w : windows) {
                for (Instant[] o : w.occurrenceOn(d)) {
                    if (!t.isBefore(o[0]) && t.isBefore(o[1])) return true;
                }
            }
        }
        return false;
    }

    /**
     * The first instant at which the schedule holds: {@code from}, or its windows' first occurrence after it; null
     * when no window occurs within the validity (a Sunday window on a Monday-to-Friday closure).
     */
    public Instant start() {
        if (windows.isEmpty()) return from;
        LocalDate first = from.atZone(ZONE).toLocalDate().minusDays(1);
        Instant best = null;
        for (LocalDate d = first; !d.isAfter(first.plusDays(MAX_DAYS_CHECKED)); d = d.plusDays(1)) {
            Instant dayStarts = d.atStartOfDay(ZONE).toInstant();
            // An occurrence that starts on d starts at or after d's first instant.
            if ((best != null && !dayStarts.isBefore(best)) || (to != null && !dayStarts.isBefore(to))) break;
            for (Instant[] o : intervalsFrom(d, from, to)) {
                if (best == null || o[0].isBefore(best)) best = o[0];
            }
        }
        return best;
    }

    /** Whether there is an instant at which both schedules hold. */
    public boolean overlaps(Schedule other) {
        Instant start = from.isAfter(other.from) ? from : other.from;
        Instant end = earliest(to, other.to);
        if (end != null && !end.isAfter(start)) return false;
        if (windows.isEmpty() && other.windows.isEmpty()) return true;
        LocalDate first = start.atZone(ZONE).toLocalDate().minusDays(1);
        LocalDate last = end == null ? first.plusDays(MAX_DAYS_CHECKED)
                : end.atZone(ZONE).toLocalDate();
        if (last.isAfter(first.plusDays(MAX_DAYS_CHECKED))) last = first.plusDays(MAX_DAYS_CHECKED);
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
            for (Instant[] a : intervalsFrom(d, start, end)) {
                // the other's occurrences starting the day before may still run into this one
                for (LocalDate od : List.of(d.minusDays(1), d, d.plusDays(1))) {
                    for (Instant[] b : other.intervalsFrom(od, start, end)) {
                        if (a[0].isBefore(b[1]) && b[0].isBefore(a[1])) return true;
                    }
                }
            }
        }
        return false;
    }

    /** The occurrences starting on {@code date}, clipped to [start, end). All day when there are no windows. */
    private List<Instant[]> intervalsFrom(LocalDate date, Instant start, Instant end) {
        List<Instant[]> out = new ArrayList<>(2);
        if (windows.isEmpty()) {
            add(out, date.atStartOfDay(ZONE).toInstant(), date.plusDays(1).atStartOfDay(ZONE).toInstant(), start, end);
        } else {
            for (Window w : windows) {
                for (Instant[] o : w.occurrenceOn(date)) add(out, o[0], o[1], start, end);
            }
        }
        return out;
    }

    private static void add(List<Instant[]> out, Instant s, Instant e, Instant start, Instant end) {
        Instant cs = s.isBefore(start) ? start : s;
        Instant ce = end != null && e.isAfter(end) ? end : e;
        if (cs.isBefore(ce)) out.add(new Instant[]{cs, ce});
    }

    private static Instant earliest(Instant a, Instant b) {
        if (a == null) return b;
        if (b == null) return a;
        return a.isBefore(b) ? a : b;
    }
}
