package it.firenze.streetcad.viability;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.api.Instants;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A measure (the effect on traffic of an ordinance or a works site) as the routing graph and the conflict check
 * use it: what it does, when, to whom not, and where.
 *
 * @param value the limit of a speed (km/h), weight (t) or height (m) limit; null for other kinds
 * @param vehicleClasses the classes a vehicle_class measure bars
 */
public record Measure(long id, String kind, String status, Long ordinanceId, Long worksId, String organisation,
                      Schedule schedule, Set<String> exemptions, Double value, Set<String> vehicleClasses,
                      List<Stretch> stretches) {

    public static final Set<String> KINDS = Set.of("closure", "lane_closure", "no_parking", "one_way", "speed_limit",
            "weight_limit", "height_limit", "vehicle_class", "narrowing");
    public static final Set<String> STATUSES = Set.of("draft", "in_force", "expired", "revoked");
    /**
     * Statuses whose measures bind at the instants of their validity: in force, and expired or revoked, whose
     * validity ends when they stopped binding (V37; a revocation acts from then on, not from the start), so that
     * what bound at a past instant stays what it was.
     */
    static final Set<String> BINDING = Set.of("in_force", "expired", "revoked");
    public static final Set<String> EXEMPTIONS = Set.of("emergency", "bus", "residents");
    public static final Set<String> VEHICLE_CLASSES = Set.of("car", "bus", "goods", "motorcycle");
    /** Kinds that take road space: two of them on the same stretch at the same time are a conflict. */
    static final Set<String> OCCUPYING = Set.of("closure", "lane_closure", "narrowing", "one_way");

    /** What a client asks for; the location is resolved separately. */
    public record Input(String kind, String status, Schedule schedule, Set<String> exemptions, Double value,
                        Set<String> vehicleClasses, Long ordinanceId, Long worksId, String description,
                        JsonNode location) {

        /** Reads a GeoJSON Feature's properties; every mistake names its property. */
        public static Input of(JsonNode properties) {
            if (properties == null || !properties.isObject()) {
                throw ViabilityException.invalid("properties", "The measure is a GeoJSON Feature whose properties hold "
                        + "kind, status, valid_from, valid_to, location.");
            }
            String kind = text(properties, "kind", true);
            if (!KINDS.contains(kind)) {
                throw ViabilityException.invalid("kind", "kind '" + kind + "' is not one of " + sorted(KINDS) + ".");
            }
            String status = text(properties, "status", false);
            if (status == null) status = "draft";
            if (!STATUSES.contains(status)) {
                throw ViabilityException.invalid("status", "status '" + status + "' is not one of " + sorted(STATUSES) + ".");
            }
            Instant from = instant(properties, "valid_from", true);
            Instant to = instant(properties, "valid_to", false);
            if (to != null && !to.isAfter(from)) {
                throw ViabilityException.invalid("valid_to", "valid_to must be after valid_from.");
            }
            Schedule schedule = scheduleOf(from, to, properties.get("windows"));
            Set<String> exemptions = words(properties, "exemptions", EXEMPTIONS);
            Set<String> classes = words(properties, "vehicle_classes", VEHICLE_CLASSES);
            Double value = null;
            JsonNode v = properties.get("value");
            if (v != null && !v.isNull()) {
                // 1e400 is read as infinite: no limit a sign can show.
                if (!v.isNumber() || !(v.asDouble() > 0) || !Double.isFinite(v.asDouble())) {
                    throw ViabilityException.invalid("value", "value is a positive number.");
                }
                value = v.asDouble();
            }
            if (value == null && Set.of("speed_limit", "weight_limit", "height_limit").contains(kind)) {
                throw ViabilityException.invalid("value", "A " + kind + " needs its value (km/h, t or m).");
            }
            if (kind.equals("vehicle_class") && classes.isEmpty()) {
                throw ViabilityException.invalid("vehicle_classes", "A vehicle_class measure names the classes it bars: "
                        + sorted(VEHICLE_CLASSES) + ".");
            }
            Long ordinance = id(properties, "ordinance_id");
            Long works = id(properties, "works_id");
            if (ordinance != null && works != null) {
                throw ViabilityException.invalid("works_id", "A measure belongs to an ordinance or to a works site, not both.");
            }
            JsonNode location = properties.get("location");
            if (location == null || !location.isObject()) {
                throw ViabilityException.invalid("location", LocationResolver.FORMS);
            }
            return new Input(kind, status, schedule, exemptions, value, classes, ordinance, works,
                    text(properties, "description", false), location);
        }
    }

    /** Whether the measure binds at {@code t}. */
    public boolean activeAt(Instant t) {
        return BINDING.contains(status) && schedule.activeAt(t);
    }

    /** A validity with its windows, refused when the windows never occur in it: such a schedule would never hold. */
    static Schedule scheduleOf(Instant from, Instant to, JsonNode windows) {
        Schedule schedule = new Schedule(from, to, windows(windows));
        if (schedule.start() == null) {
            throw ViabilityException.invalid("windows", "The windows never occur between valid_from and valid_to.");
        }
        return schedule;
    }

    /** Reads {@code [{"days": ["TU"], "from": "06:00", "to": "14:00"}]}. */
    public static List<Schedule.Window> windows(JsonNode node) {
        List<Schedule.Window> windows = new ArrayList<>();
        if (node == null || node.isNull()) return windows;
        if (!node.isArray()) throw ViabilityException.invalid("windows", "windows is an array of {days, from, to}.");
        for (int i = 0; i < node.size(); i++) {
            JsonNode w = node.get(i);
            String field = "windows[" + i + "]";
            Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
            JsonNode d = w.get("days");
            if (d != null && !d.isNull()) {
                if (!d.isArray()) throw ViabilityException.invalid(field + ".days", "days is an array such as [\"TU\"].");
                for (JsonNode day : d) {
                    try {
                        days.add(Schedule.Window.day(day.asText()));
                    } catch (IllegalArgumentException e) {
                        throw ViabilityException.invalid(field + ".days", e.getMessage() + ".");
                    }
                }
            }
            windows.add(new Schedule.Window(days, time(w, "from", field), time(w, "to", field)));
        }
        return windows;
    }

    private static LocalTime time(JsonNode w, String name, String field) {
        JsonNode t = w.get(name);
        try {
            if (t == null || !t.isTextual()) throw new DateTimeParseException("missing", "", 0);
            return t.asText().equals("24:00") ? LocalTime.MAX : LocalTime.parse(t.asText());
        } catch (DateTimeParseException e) {
            throw ViabilityException.invalid(field + "." + name, field + "." + name + " is a local time HH:MM.");
        }
    }

    static String text(JsonNode o, String name, boolean required) {
        JsonNode n = o.get(name);
        if (n == null || n.isNull()) {
            if (required) throw ViabilityException.invalid(name, name + " is required.");
            return null;
        }
        if (!n.isTextual() || n.asText().isBlank()) throw ViabilityException.invalid(name, name + " is a non-empty string.");
        return n.asText().strip();
    }

    static Instant instant(JsonNode o, String name, boolean required) {
        String text = text(o, name, required);
        if (text == null) return null;
        try {
            return Instants.dateTime(text).toInstant();
        } catch (DateTimeParseException e) {
            throw ViabilityException.invalid(name, name + " is an RFC 3339 date-time with offset, such as "
                    + "2026-03-03T06:00:00+01:00.");
        }
    }

    static Long id(JsonNode o, String name) {
        JsonNode n = o.get(name);
        if (n == null || n.isNull()) return null;
        if (!n.canConvertToLong() || n.asLong() <= 0) throw ViabilityException.invalid(name, name + " is a positive integer.");
        return n.asLong();
    }

    private static Set<String> words(JsonNode o, String name, Set<String> allowed) {
        JsonNode n = o.get(name);
        Set<String> out = new java.util.TreeSet<>();
        if (n == null || n.isNull()) return out;
        if (!n.isArray()) throw ViabilityException.invalid(name, name + " is an array of " + sorted(allowed) + ".");
        for (JsonNode w : n) {
            if (!allowed.contains(w.asText())) {
                throw ViabilityException.invalid(name, "'" + w.asText() + "' is not one of " + sorted(allowed) + ".");
            }
            out.add(w.asText());
        }
        return out;
    }

    static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }
}
