package it.firenze.streetcad.importer;

import it.firenze.streetcad.importer.report.ReportCode;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cadastre fields a mapping may fill: the {@code road_element} columns by their own names, plus
 * {@code road_name} (the toponym of the {@code road}, strada, the element belongs to). Each knows the values the
 * schema accepts, so a bad value is reported per feature before anything is written instead of failing the commit.
 */
public enum TargetField {
    ROAD_NAME("road_name", Kind.TEXT, null, null),
    SOURCE_KEY("source_key", Kind.TEXT, null, null),
    FUNCTIONAL_CLASS("functional_class", Kind.ENUM, null,
            Set.of("A", "B", "C", "D", "E", "E-bis", "F", "F-bis")),
    ELEMENT_TYPE("element_type", Kind.CHOICE, "carriageway",
            Set.of("carriageway", "slip_road", "roundabout", "parking", "square", "pedestrian", "level_crossing",
                    "service", "cycleway", "track", "toll", "traffic_area")),
    LEVEL("level", Kind.CHOICE, "at_grade", Set.of("at_grade", "bridge", "tunnel", "ramp")),
    LAYER("layer", Kind.INTEGER, "0", null, -9, 9),
    CARRIAGEWAYS("carriageways", Kind.INTEGER, null, null, 1, 2),
    LANES("lanes", Kind.INTEGER, null, null, 1, 12),
    WIDTH_M("width_m", Kind.DECIMAL, null, null, 0.01, 999.99),
    SURFACE("surface", Kind.TEXT, null, null),
    DIRECTION("direction", Kind.CHOICE, "both", Set.of("both", "forward", "backward", "closed")),
    STATUS("status", Kind.CHOICE, "in_use", Set.of("in_use", "under_construction", "disused")),
    SPEED_LIMIT("speed_limit", Kind.SPEED, null, null, 5, 150);

    enum Kind {
        TEXT("text"), CHOICE("text"), ENUM("functional_class"), INTEGER("smallint"), DECIMAL("numeric(5,2)"),
        SPEED("smallint");

        final String sqlType;

        Kind(String sqlType) {
            this.sqlType = sqlType;
        }
    }

    private static final Pattern SPEED = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(km/h|kmh|kph|mph)?", Pattern.CASE_INSENSITIVE);
    private static final double KM_PER_MILE = 1.609344;

    private final String column;
    private final Kind kind;
    private final String defaultValue;
    private final Set<String> choices;
    private final double min;
    private final double max;

    TargetField(String column, Kind kind, String defaultValue, Set<String> choices) {
        this(column, kind, defaultValue, choices, 0, 0);
    }

    TargetField(String column, Kind kind, String defaultValue, Set<String> choices, double min, double max) {
        this.column = column;
        this.kind = kind;
        this.defaultValue = defaultValue;
        this.choices = choices;
        this.min = min;
        this.max = max;
    }

    /** The column name, in the staging table as in {@code road_element}. */
    public String column() {
        return column;
    }

    /** What the schema puts when the source says nothing; null where the column is nullable. */
    public String defaultValue() {
        return defaultValue;
    }

    /** The column's type in the staging table: that of road_element, so checks can compare the two. */
    String sqlType() {
        return kind.sqlType;
    }

    public static Optional<TargetField> byColumn(String name) {
        return Arrays.stream(values()).filter(f -> f.column.equals(name)).findFirst();
    }

    /**
     * The source value as this field's text form in the staging table, or the reason it is not acceptable.
     * Whitespace around text is dropped; an empty text is no value.
     */
    Conversion convert(Object value) {
        if (value == null) return Conversion.empty();
        String text = value instanceof BigDecimal d ? d.stripTrailingZeros().toPlainString() : value.toString().strip();
        if (text.isEmpty()) return Conversion.empty();
        return switch (kind) {
            case TEXT -> Conversion.of(text);
            case CHOICE, ENUM -> choices.contains(text) ? Conversion.of(text)
                    : Conversion.refused(ReportCode.NOT_ONE_OF_CHOICES, "'" + text + "' is not one of " + String.join(", ", choices.stream().sorted().toList()));
            case INTEGER -> integer(text);
            case DECIMAL -> decimal(text);
            case SPEED -> speed(text);
        };
    }

    private Conversion integer(String text) {
        try {
            double d = Double.parseDouble(text);
            if (d != Math.rint(d)) return Conversion.refused(ReportCode.NOT_A_WHOLE_NUMBER, "'" + text + "' is not a whole number");
            return inRange(d, Long.toString((long) d));
        } catch (NumberFormatException e) {
            return Conversion.refused(ReportCode.NOT_A_NUMBER, "'" + text + "' is not a number");
        }
    }

    private Conversion decimal(String text) {
        try {
            BigDecimal d = new BigDecimal(text.replace(',', '.'));
            return inRange(d.doubleValue(), d.setScale(2, java.math.RoundingMode.HALF_UP).toPlainString());
        } catch (NumberFormatException e) {
            return Conversion.refused(ReportCode.NOT_A_NUMBER, "'" + text + "' is not a number");
        }
    }

    private Conversion speed(String text) {
        Matcher m = SPEED.matcher(text);
        if (!m.matches()) return Conversion.refused(ReportCode.NOT_A_SPEED, "'" + text + "' is not a speed in km/h");
        double kmh = Double.parseDouble(m.group(1));
        if (m.group(2) != null && m.group(2).toLowerCase(Locale.ROOT).equals("mph")) kmh *= KM_PER_MILE;
        return inRange(kmh, Long.toString(Math.round(kmh)));
    }

    private Conversion inRange(double value, String text) {
        if (value < min || value > max) {
            return Conversion.refused(ReportCode.OUT_OF_RANGE, text + " is outside " + format(min) + "–" + format(max));
        }
        return Conversion.of(text);
    }

    private static String format(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** A converted value (null = none) or what refused the source value: its report code and the reason in English. */
    record Conversion(String value, ReportCode code, String refusal) {
        static Conversion of(String value) {
            return new Conversion(value, null, null);
        }

        static Conversion empty() {
            return new Conversion(null, null, null);
        }

        static Conversion refused(ReportCode code, String reason) {
            return new Conversion(null, code, reason);
        }

        boolean refused() {
            return refusal != null;
        }
    }
}
