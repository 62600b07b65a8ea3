package it.firenze.streetcad.db;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Gauges of row counts by tag values, read by one grouped query when {@code /metrics} is scraped (at most once a
 * second, however many gauges): jobs by kind and state, open topology findings by severity. NaN while the database
 * does not answer.
 */
public final class CountGauges {

    private final Database database;
    private final String sql;
    private Map<String, Double> counts = Map.of();
    private long readAt;
    private boolean failed;

    private CountGauges(Database database, String sql) {
        this.database = database;
        this.sql = sql;
    }

    /**
     * @param sql       selects the tag values (one column per tag) and the count, last
     * @param tagValues every combination to publish, in the order of {@code tagNames}
     */
    public static CountGauges register(Database database, String name, String description, String sql,
                                       List<String> tagNames, List<List<String>> tagValues) {
        CountGauges gauges = new CountGauges(database, sql);
        for (List<String> values : tagValues) {
            Gauge.Builder<CountGauges> b = Gauge.builder(name, gauges, g -> g.count(String.join("\u0000", values)))
                    .description(description).strongReference(true);
            for (int i = 0; i < tagNames.size(); i++) b.tag(tagNames.get(i), values.get(i));
            b.register(Metrics.globalRegistry);
        }
        return gauges;
    }

    private synchronized double count(String key) {
        long now = System.currentTimeMillis();
        if (now - readAt > 1000) {
            readAt = now;
            try (Connection c = database.readConnection(); var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                Map<String, Double> read = new HashMap<>();
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    StringBuilder k = new StringBuilder();
                    for (int i = 1; i < columns; i++) k.append(i > 1 ? "\u0000" : "").append(rs.getString(i));
                    read.put(k.toString(), rs.getDouble(columns));
                }
                counts = read;
                failed = false;
            } catch (SQLException | RuntimeException e) {
                failed = true;
            }
        }
        return failed ? Double.NaN : counts.getOrDefault(key, 0.0);
    }
}
