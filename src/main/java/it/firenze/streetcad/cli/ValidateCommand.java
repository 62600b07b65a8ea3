package it.firenze.streetcad.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.db.CadastreStore;
import it.firenze.streetcad.topology.Finding;
import it.firenze.streetcad.topology.HeapTooSmallException;
import it.firenze.streetcad.topology.Rule;
import it.firenze.streetcad.topology.Severity;
import it.firenze.streetcad.topology.TopologyValidation;
import it.firenze.streetcad.topology.ValidationOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Validate the topology of the cadastre as stored, by rule, and report every finding with its "
                + "rule, severity, explanation, parameters, place and element/junction ids. Changes nothing.",
                "Exit code 0 when there is no error-level finding (accepted exceptions do not count), 1 otherwise."})
final class ValidateCommand implements Callable<Integer> {

    enum Format { text, geojson, csv }

    @Mixin
    DatabaseOptions database;

    @Mixin
    TopologyOptions topology;

    @Option(names = "--rules", paramLabel = "RULE[,RULE…]", split = ",",
            description = "Only these rules. Default: all of them.")
    List<String> rules;

    @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT",
            description = "text, geojson (a FeatureCollection in CRS84) or csv (default: ${DEFAULT-VALUE}).")
    Format format;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        double[] area = topology.area();
        ValidationOptions options = ValidationOptions.defaults().withTolerance(topology.tolerance()).withRules(rules());
        PrintWriter out = spec.commandLine().getOut();
        try (CadastreStore store = CadastreStore.open(database.settings())) {
            TopologyValidation validation = new TopologyValidation(store.database());
            TopologyValidation.Report report = validation.run(area, options, p -> { });
            List<Finding> findings = report.findings();
            List<String> places = validation.locationsAsGeoJson(findings);
            switch (format) {
                case text -> {
                    for (int i = 0; i < findings.size(); i++) out.println(text(findings.get(i), report, places.get(i)));
                    out.println(summary(report));
                }
                case csv -> {
                    out.println("rule,severity,accepted,element_ids,junction_ids,lon,lat,explanation,parameters");
                    for (int i = 0; i < findings.size(); i++) out.println(csv(findings.get(i), report, places.get(i)));
                    spec.commandLine().getErr().println(summary(report));
                }
                case geojson -> {
                    out.println(geojson(findings, report, places));
                    spec.commandLine().getErr().println(summary(report));
                }
            }
            out.flush();
            return report.openErrors() == 0 ? 0 : 1;
        } catch (SQLException | HeapTooSmallException e) {
            throw new UserFacingException("validation failed: " + e.getMessage());
        } catch (IOException e) {
            throw new UserFacingException("validation report failed: " + e.getMessage());
        }
    }

    private Set<Rule> rules() {
        if (rules == null || rules.isEmpty()) return null;
        Set<Rule> set = EnumSet.noneOf(Rule.class);
        for (String id : rules) {
            set.add(Rule.byId(id.strip()).orElseThrow(() -> new UserFacingException("--rules: unknown rule '" + id
                    + "'; the rules are " + Arrays.stream(Rule.values()).map(Rule::id).collect(Collectors.joining(", ")))));
        }
        return set;
    }

    static String summary(TopologyValidation.Report r) {
        var counts = r.countsBySeverity();
        long accepted = r.findings().stream().filter(r::isAccepted).count();
        return String.format(Locale.ROOT, "%d findings on %d elements and %d junctions: %d errors (%d open), "
                        + "%d warnings, %d info; %d accepted as exceptions (read in %d ms, checked in %d ms, %d ms of CPU).",
                r.findings().size(), r.elements(),
                r.junctions(), counts.get(Severity.ERROR), r.openErrors(), counts.get(Severity.WARNING),
                counts.get(Severity.INFO), accepted, r.readMillis(), r.checkMillis(), r.checkCpuMillis());
    }

    private static String text(Finding f, TopologyValidation.Report r, String place) throws IOException {
        double[] p = representativePoint(place);
        return String.format(Locale.ROOT, "%-7s %s%s at %.6f,%.6f elements %s junctions %s: %s %s", f.severity().id(),
                f.rule().id(), r.isAccepted(f) ? " (accepted)" : "", p[0], p[1], f.elementIds(), f.junctionIds(),
                f.explanation(), Json.mapper().writeValueAsString(f.parameters()));
    }

    private static String csv(Finding f, TopologyValidation.Report r, String place) throws IOException {
        double[] p = representativePoint(place);
        return String.join(",", f.rule().id(), f.severity().id(), String.valueOf(r.isAccepted(f)),
                quote(ids(f.elementIds())), quote(ids(f.junctionIds())), String.format(Locale.ROOT, "%.7f", p[0]),
                String.format(Locale.ROOT, "%.7f", p[1]), quote(f.explanation()),
                quote(Json.mapper().writeValueAsString(f.parameters())));
    }

    private static String ids(List<Long> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(" "));
    }

    private static String quote(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    /** The first position of a GeoJSON geometry: a point on the finding's place. */
    private static double[] representativePoint(String geojson) throws IOException {
        JsonNode c = Json.mapper().readTree(geojson).get("coordinates");
        while (c.get(0).isArray()) c = c.get(0);
        return new double[]{c.get(0).asDouble(), c.get(1).asDouble()};
    }

    private static String geojson(List<Finding> findings, TopologyValidation.Report r, List<String> places)
            throws IOException {
        ObjectNode fc = Json.mapper().createObjectNode().put("type", "FeatureCollection");
        ArrayNode features = fc.putArray("features");
        for (int i = 0; i < findings.size(); i++) {
            Finding f = findings.get(i);
            ObjectNode feature = features.addObject().put("type", "Feature");
            feature.set("geometry", Json.mapper().readTree(places.get(i)));
            ObjectNode props = feature.putObject("properties").put("rule", f.rule().id())
                    .put("severity", f.severity().id()).put("explanation", f.explanation());
            props.set("parameters", Json.mapper().valueToTree(f.parameters()));
            props.set("element_ids", Json.mapper().valueToTree(f.elementIds()));
            props.set("junction_ids", Json.mapper().valueToTree(f.junctionIds()));
            props.put("accepted", r.isAccepted(f)).put("fingerprint", f.fingerprint());
        }
        return Json.mapper().writeValueAsString(fc);
    }
}
