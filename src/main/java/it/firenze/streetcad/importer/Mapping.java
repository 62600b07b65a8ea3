package it.firenze.streetcad.importer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.api.JsonText;
import it.firenze.streetcad.importer.report.Note;
import it.firenze.streetcad.importer.report.ReportCode;
import it.firenze.streetcad.importer.shapefile.NotOfItsType;
import it.firenze.streetcad.importer.shapefile.VertexValues;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How the fields of a source layer become cadastre fields. Written as JSON (or YAML):
 * <pre>
 * { "fields": {
 *     "road_name": "name",                                        // copy a source field
 *     "direction": {"source": "oneway", "values": {"yes": "forward", "-1": "backward", "no": "both"}},
 *     "level": [ {"source": "bridge", "values": {"yes": "bridge"}, "otherValues": "ignore"},
 *                {"source": "tunnel", "values": {"yes": "tunnel"}, "otherValues": "ignore"} ] },
 *   "defaults": {"status": "in_use"} }
 * </pre>
 * Targets are {@link TargetField} columns. For each target the rules are tried in order and the first that gives
 * a value wins. A rule looks its source value up in {@code values} (case and surrounding blanks ignored; a
 * {@code null} there means "no value, try the next rule"); a value not listed is handled by {@code otherValues}:
 * {@code convert} (use it as is; the default without {@code values}), {@code warning} (the default with
 * {@code values}), {@code error} or {@code ignore}. A value the target cannot hold (a speed of 300, a class "G")
 * is handled by {@code invalid}: {@code error} (default), {@code warning} or {@code ignore}. Source fields that no
 * rule reads are kept per element, as JSON, in {@code source_attributes}.
 */
public final class Mapping {

    /**
     * The members of {@code source_attributes} that keep the Z and M values of a feature's vertices (the cadastre's
     * lines are 2D): an array per part of the source feature, in its order, of a number per vertex (null for a
     * measure that is "no data"). No .dbf field can take these names: they are longer than the 11 bytes a field's
     * name has, and a repeated name is renamed with a number after it.
     */
    public static final String VERTEX_Z_VALUES = "vertex_z_values", VERTEX_M_VALUES = "vertex_m_values";

    /** The presets shipped with StreetCad, by the name the CLI and the HTTP API accept. */
    public static final List<String> PRESETS = List.of("osm", "rt-grafo");

    private static final ObjectMapper YAML = new YAMLMapper();

    enum Policy { CONVERT, WARNING, ERROR, IGNORE }

    record Rule(String source, Map<String, String> values, boolean hasValues, Policy otherValues, Policy invalid) {
    }

    /**
     * Field names ({@link #apply}'s attributes) and rules' sources as looked up ({@link #key}), kept: a layer has the
     * same few fields on every record, and lowercasing them again for each of a million records was a tenth of
     * staging them. Bounded, since a server's mapping sees the fields of every file imported with it.
     */
    private final Map<String, String> keys = new ConcurrentHashMap<>();
    private static final int MAX_CACHED = 4096;

    private String cachedKey(String name) {
        String done = keys.get(name);
        if (done != null) return done;
        done = key(name);
        if (keys.size() < MAX_CACHED) keys.put(name, done);
        return done;
    }

    private final String name;
    private final JsonNode json;
    private final Map<TargetField, List<Rule>> rules;
    private final Map<TargetField, String> defaults;
    private final Set<String> sourceFields;
    /** Every rule's source field as the mapping spells it, once each. */
    private final List<String> ruleSources;

    private Mapping(String name, JsonNode json, Map<TargetField, List<Rule>> rules, Map<TargetField, String> defaults) {
        this.name = name;
        this.json = json;
        this.rules = rules;
        this.defaults = defaults;
        this.sourceFields = new HashSet<>();
        rules.values().forEach(list -> list.forEach(r -> sourceFields.add(key(r.source()))));
        this.ruleSources = rules.values().stream().flatMap(List::stream).map(Rule::source).distinct().toList();
    }

    /** A preset by name ({@link #PRESETS}). */
    public static Mapping preset(String name) {
        if (!PRESETS.contains(name)) {
            throw new MappingException("There is no mapping preset '" + name + "'; the presets are " + String.join(", ", PRESETS) + ".");
        }
        try (InputStream in = Mapping.class.getResourceAsStream("mappings/" + name + ".json")) {
            return fromJson(name, Json.mapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A preset name, or a JSON or YAML file (by its extension: .yaml/.yml, otherwise JSON). */
    public static Mapping presetOrFile(String presetOrPath) {
        if (PRESETS.contains(presetOrPath)) return preset(presetOrPath);
        Path file = Path.of(presetOrPath);
        if (!Files.isRegularFile(file)) {
            throw new MappingException("The mapping '" + presetOrPath + "' is neither a preset (" + String.join(", ", PRESETS)
                    + ") nor a readable file.");
        }
        String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            JsonNode tree = lower.endsWith(".yaml") || lower.endsWith(".yml") ? YAML.readTree(file.toFile())
                    : Json.mapper().readTree(file.toFile());
            return fromJson(file.getFileName().toString(), tree);
        } catch (JsonProcessingException e) {
            throw new MappingException("The mapping file " + file + " is not valid JSON/YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MappingException("The mapping file " + file + " cannot be read: " + e.getMessage());
        }
    }

    /** A mapping given as JSON (a file's content or the {@code mapping} part of an HTTP request). */
    public static Mapping fromJson(String name, JsonNode json) {
        if (json == null || !json.isObject()) throw new MappingException("A mapping is a JSON object with \"fields\".");
        for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!Set.of("fields", "defaults", "description").contains(key)) {
                throw new MappingException("Unknown mapping key \"" + key + "\"; a mapping has \"fields\", \"defaults\" and \"description\".");
            }
        }
        JsonNode fields = json.path("fields");
        if (!fields.isObject() || fields.isEmpty()) throw new MappingException("A mapping needs a non-empty \"fields\" object.");
        Map<TargetField, List<Rule>> rules = new EnumMap<>(TargetField.class);
        fields.properties().forEach(e -> {
            TargetField target = target(e.getKey());
            List<Rule> list = new ArrayList<>();
            if (e.getValue().isArray()) e.getValue().forEach(n -> list.add(rule(target, n)));
            else list.add(rule(target, e.getValue()));
            if (list.isEmpty()) throw new MappingException("\"" + target.column() + "\" has no rule.");
            rules.put(target, List.copyOf(list));
        });
        Map<TargetField, String> defaults = new EnumMap<>(TargetField.class);
        json.path("defaults").properties().forEach(e -> {
            TargetField target = target(e.getKey());
            TargetField.Conversion c = target.convert(e.getValue().isNull() ? null : e.getValue().asText());
            if (c.refused()) throw new MappingException("The default for \"" + target.column() + "\": " + c.refusal() + ".");
            defaults.put(target, c.value());
        });
        return new Mapping(name, json, rules, defaults);
    }

    private static TargetField target(String column) {
        return TargetField.byColumn(column).orElseThrow(() -> new MappingException("\"" + column
                + "\" is not a cadastre field a mapping can fill; those are "
                + String.join(", ", java.util.Arrays.stream(TargetField.values()).map(TargetField::column).toList()) + "."));
    }

    private static Rule rule(TargetField target, JsonNode node) {
        if (node.isTextual()) return new Rule(node.asText(), Map.of(), false, Policy.CONVERT, Policy.ERROR);
        if (!node.isObject() || !node.path("source").isTextual() || node.path("source").asText().isBlank()) {
            throw new MappingException("A rule for \"" + target.column() + "\" is a source field name or an object with \"source\".");
        }
        Map<String, String> values = new HashMap<>();
        node.path("values").properties().forEach(v -> {
            String to = v.getValue().isNull() ? null : v.getValue().asText();
            if (to != null) {
                TargetField.Conversion c = target.convert(to);
                if (c.refused()) {
                    throw new MappingException("In the rule for \"" + target.column() + "\", \"" + v.getKey() + "\" maps to " + c.refusal() + ".");
                }
                to = c.value();
            }
            values.put(key(v.getKey()), to);
        });
        boolean hasValues = node.has("values");
        Policy other = policy(target, node, "otherValues", hasValues ? Policy.WARNING : Policy.CONVERT);
        Policy invalid = policy(target, node, "invalid", Policy.ERROR);
        return new Rule(node.get("source").asText(), values, hasValues, other, invalid);
    }

    private static Policy policy(TargetField target, JsonNode node, String key, Policy fallback) {
        if (!node.has(key)) return fallback;
        try {
            return Policy.valueOf(node.get(key).asText().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new MappingException("\"" + key + "\" in the rule for \"" + target.column()
                    + "\" is one of convert, warning, error, ignore; not \"" + node.get(key).asText() + "\".");
        }
    }

    private static String key(String value) {
        return value.strip().toLowerCase(Locale.ROOT);
    }

    public String name() {
        return name;
    }

    /** The mapping as JSON, as given: stored with the import job and shown in its report. */
    public JsonNode toJson() {
        return json;
    }

    public boolean maps(TargetField target) {
        return rules.containsKey(target);
    }

    /** The source fields the rules of {@code target} read, in order; empty when the mapping does not fill it. */
    public List<String> sources(TargetField target) {
        return rules.getOrDefault(target, List.of()).stream().map(Rule::source).toList();
    }

    /** Whether a rule reads this source field (case ignored): if none does, it is kept in source_attributes. */
    public boolean reads(String sourceField) {
        return sourceFields.contains(key(sourceField));
    }

    /**
     * Maps the attributes of feature {@code featureNumber}: the value of each target (index = ordinal; null where
     * the schema's own default or NULL applies), the unmapped attributes as a JSON object, and what was wrong.
     */
    MappedAttributes apply(long featureNumber, Map<String, Object> attributes, VertexValues vertexValues) {
        Resolution resolution = resolution(attributes.keySet());
        Map<String, Object> unmapped = new LinkedHashMap<>();
        List<ImportProblem> problems = new ArrayList<>(0);
        for (var e : attributes.entrySet()) {
            boolean isRead = resolution.readFields().contains(e.getKey());
            // a value not of its field's type is kept as written even when a rule reads it: the rule's finding (its
            // "invalid" policy) says what became of the target, and the text is not lost with it
            if (e.getValue() != null && (!isRead || e.getValue() instanceof NotOfItsType)) {
                unmapped.put(e.getKey(), asJson(e.getValue()));
            }
            if (!isRead && e.getValue() instanceof NotOfItsType n) {
                problems.add(ImportProblem.warning(featureNumber, e.getKey(), ReportCode.NOT_OF_FIELD_TYPE, "'" + n.text() + "' is not "
                        + n.expected() + " (a field of type " + n.field() + "): kept as written in source_attributes, "
                        + "no value read"));
            }
        }
        if (vertexValues != null) {
            if (vertexValues.z() != null) unmapped.put(VERTEX_Z_VALUES, perPart(vertexValues.z()));
            if (vertexValues.m() != null) unmapped.put(VERTEX_M_VALUES, perPart(vertexValues.m()));
        }
        String[] values = new String[TargetField.values().length];
        for (TargetField target : TargetField.values()) {
            List<Rule> list = rules.get(target);
            String value = null;
            if (list != null) {
                for (Rule r : list) {
                    String field = resolution.fieldOfSource().get(r.source());
                    value = evaluate(featureNumber, target, r, field == null ? r.source() : field,
                            field == null ? null : attributes.get(field), problems);
                    if (value != null) break;
                }
            }
            if (value == null) value = defaults.containsKey(target) ? defaults.get(target) : target.defaultValue();
            values[target.ordinal()] = value;
        }
        return new MappedAttributes(values, unmapped.isEmpty() ? null : JsonText.object(unmapped), problems);
    }

    /**
     * Which field each rule's source reads among a layer's field names, and the fields so read. A source reads the
     * field spelled as the rule spells it, else the first in source order whose name differs only by case, as GDAL
     * looks a field up (its shapefile driver keeps NAME and name as two fields); fields differing only by case that
     * no rule reads are kept in source_attributes.
     */
    private record Resolution(List<String> names, Map<String, String> fieldOfSource, Set<String> readFields) {
        boolean isFor(Collection<String> fieldNames) {
            if (names.size() != fieldNames.size()) return false;
            Iterator<String> it = names.iterator();
            for (String name : fieldNames) if (!name.equals(it.next())) return false;
            return true;
        }
    }

    /**
     * Every record of a layer has the same fields, so the resolution is made once per layer and kept (the last one:
     * a mapping serves one import at a time per thread, and a race only makes it again), not once per record.
     */
    private volatile Resolution lastResolution;

    private Resolution resolution(Collection<String> fieldNames) {
        Resolution last = lastResolution;
        if (last != null && last.isFor(fieldNames)) return last;
        Map<String, String> firstSpelling = new HashMap<>();
        for (String name : fieldNames) firstSpelling.putIfAbsent(cachedKey(name), name);
        Map<String, String> fieldOfSource = new HashMap<>();
        for (String source : ruleSources) {
            String field = fieldNames.contains(source) ? source : firstSpelling.get(cachedKey(source));
            if (field != null) fieldOfSource.put(source, field);
        }
        Resolution made = new Resolution(List.copyOf(fieldNames), Map.copyOf(fieldOfSource),
                Set.copyOf(fieldOfSource.values()));
        lastResolution = made;
        return made;
    }

    /**
     * What the report should say about fields that differ only by case where a rule reads one of them: which one it
     * reads, and that the others are kept in source_attributes. {@code fields} are the layer's, in source order.
     */
    List<Note> caseVariants(List<String> fields) {
        Map<String, List<String>> byLower = new HashMap<>();
        for (String f : fields) byLower.computeIfAbsent(key(f), k -> new ArrayList<>()).add(f);
        Resolution resolution = resolution(fields);
        List<Note> out = new ArrayList<>();
        for (String source : ruleSources) {
            List<String> variants = byLower.getOrDefault(key(source), List.of());
            if (variants.size() < 2) continue;
            String field = resolution.fieldOfSource().get(source);
            out.add(new Note(ReportCode.FIELDS_DIFFER_BY_CASE, "the fields " + String.join(", ", variants.stream()
                    .map(v -> "'" + v + "'").toList()) + " differ only by case: the mapping's '" + source + "' reads '"
                    + field + "' (" + (field.equals(source) ? "spelled as in the mapping" : "the first of them, as GDAL "
                    + "reads it") + "), the others are kept in source_attributes under their own names"));
        }
        return out;
    }

    private static String evaluate(long featureNumber, TargetField target, Rule rule, String field, Object raw,
                                   List<ImportProblem> problems) {
        if (raw == null) return null;
        String text = raw instanceof BigDecimal d ? d.stripTrailingZeros().toPlainString() : raw.toString();
        if (text.isBlank()) return null;
        if (rule.hasValues()) {
            String k = key(text);
            if (rule.values().containsKey(k)) return rule.values().get(k);
            switch (rule.otherValues()) {
                case IGNORE:
                    return null;
                case WARNING:
                    problems.add(ImportProblem.warning(featureNumber, field, ReportCode.UNKNOWN_VALUE, "unknown value '" + text.strip() + "' for "
                            + target.column() + ", left " + describeDefault(target)));
                    return null;
                case ERROR:
                    problems.add(ImportProblem.error(featureNumber, field, ReportCode.UNKNOWN_VALUE, "unknown value '"
                            + text.strip() + "' for " + target.column()));
                    return null;
                case CONVERT:
                    break;
            }
        }
        TargetField.Conversion c = target.convert(raw);
        if (!c.refused()) return c.value();
        switch (rule.invalid()) {
            case WARNING -> problems.add(ImportProblem.warning(featureNumber, field, c.code(), target.column() + ": " + c.refusal()
                    + ", left " + describeDefault(target)));
            case ERROR, CONVERT -> problems.add(ImportProblem.error(featureNumber, field, c.code(), target.column() + ": " + c.refusal()));
            case IGNORE -> { }
        }
        return null;
    }

    private static String describeDefault(TargetField target) {
        return target.defaultValue() == null ? "empty" : "'" + target.defaultValue() + "'";
    }

    /**
     * An attribute's value as source_attributes keeps it: text, a number (a decimal as written, trailing zeros
     * included), a boolean, and anything else (a date, a value not of its field's type) as its text.
     */
    private static Object asJson(Object value) {
        if (value instanceof NotOfItsType n) return n.text();
        boolean jsonValue = value instanceof String || value instanceof Long || value instanceof Integer
                || value instanceof BigDecimal || value instanceof Double || value instanceof Boolean;
        return jsonValue ? value : value.toString();
    }

    /** Values per part, arrays of numbers, NaN ("no data") as null. */
    private static List<List<Double>> perPart(double[][] parts) {
        List<List<Double>> out = new ArrayList<>(parts.length);
        for (double[] part : parts) {
            List<Double> values = new ArrayList<>(part.length);
            for (double v : part) values.add(Double.isNaN(v) ? null : v);
            out.add(values);
        }
        return out;
    }

    /** The result of {@link #apply}: target values by ordinal, unmapped attributes as JSON text, problems. */
    record MappedAttributes(String[] values, String sourceAttributes, List<ImportProblem> problems) {
        String get(TargetField field) {
            return values[field.ordinal()];
        }

        boolean rejected() {
            return problems.stream().anyMatch(p -> p.severity() == ImportProblem.Severity.ERROR);
        }
    }

    /** A mapping that cannot be used; its message says what to change. */
    public static final class MappingException extends RuntimeException {
        public MappingException(String message) {
            super(message);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
