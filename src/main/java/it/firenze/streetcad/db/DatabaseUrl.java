package it.firenze.streetcad.db;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A database location as users write it: a JDBC URL ({@code jdbc:postgresql://host:port/db?user=…}) or
 * libpq's URI form ({@code postgresql://user:secret@host:port/db}), turned into what pgjdbc accepts.
 * Credentials are kept apart from the URL so that they never appear in logs.
 */
public record DatabaseUrl(String jdbcUrl, String user, String password) {

    /** Connections name their process ({@code streetcad:<pid>}), so an operator and the embedded cluster see who uses it. */
    public static final String APPLICATION = "streetcad";

    public static DatabaseUrl parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the database URL is empty");
        }
        String trimmed = text.trim();
        String uriText;
        if (trimmed.startsWith("jdbc:postgresql:")) {
            uriText = trimmed.substring("jdbc:".length());
        } else if (trimmed.startsWith("postgresql:") || trimmed.startsWith("postgres:")) {
            uriText = trimmed;
        } else {
            throw new IllegalArgumentException("'" + redact(trimmed) + "' is not a PostgreSQL URL: write "
                    + "jdbc:postgresql://host:port/db?user=… or postgresql://user@host:port/db");
        }
        URI uri;
        try {
            uri = new URI(uriText.replaceFirst("^postgres:", "postgresql:"));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the database URL is malformed: " + e.getReason());
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("the database URL names no host: " + redact(trimmed));
        }
        Map<String, String> query = parseQuery(uri.getRawQuery());
        String user = query.remove("user");
        String password = query.remove("password");
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            if (parts.length == 2) password = decode(parts[1]);
        }
        String database = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(uri.getHost());
        if (uri.getPort() > 0) jdbc.append(':').append(uri.getPort());
        jdbc.append('/').append(database);
        // libpq spells a few parameters differently from pgjdbc; the rest pass through unchanged.
        query.remove("application_name");
        String sep = "?";
        for (var e : query.entrySet()) {
            jdbc.append(sep).append(e.getKey()).append('=').append(e.getValue());
            sep = "&";
        }
        return new DatabaseUrl(jdbc.toString(), user, password);
    }

    public Properties connectionProperties() {
        Properties props = new Properties();
        if (user != null) props.setProperty("user", user);
        if (password != null) props.setProperty("password", password);
        props.setProperty("ApplicationName", APPLICATION + ":" + ProcessHandle.current().pid());
        return props;
    }

    /** The URL with any password blanked, for messages. */
    @Override
    public String toString() {
        return jdbcUrl + (user == null ? "" : " (user " + user + ")");
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return out;
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(decode(key), key.equals("user") || key.equals("password") ? decode(value) : value);
        }
        return out;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("(//[^:/@]+:)[^@]*@", "$1***@");
    }
}
