package it.firenze.streetcad.features;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The HTML view of any OGC API document: the very JSON the handler built, rendered for a person, with its
 * links followed in HTML. Every text from the database is escaped.
 */
final class Html {

    private Html() {
    }

    static String page(String title, JsonNode document) {
        StringBuilder b = new StringBuilder(4096);
        b.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append(" – StreetCad</title><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<style>body{font-family:system-ui,sans-serif;margin:1.5em;max-width:80em}table{border-collapse:"
                        + "collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}"
                        + "th{background:#eee}</style></head><body><h1>").append(esc(title)).append("</h1>");
        if (document.hasNonNull("description")) b.append("<p>").append(esc(document.get("description").asText())).append("</p>");
        links(b, document.get("links"));
        scalars(b, document);
        if (document.has("collections")) {
            b.append("<h2>Collections</h2><ul>");
            for (JsonNode c : document.get("collections")) {
                b.append("<li><a href=\"").append(esc(href(c.get("links"), "self"))).append("\">")
                        .append(esc(c.path("title").asText(c.path("id").asText()))).append("</a> — ")
                        .append(esc(c.path("description").asText())).append("</li>");
            }
            b.append("</ul>");
        }
        if (document.has("conformsTo")) {
            b.append("<h2>Conformance classes</h2><ul>");
            for (JsonNode c : document.get("conformsTo")) b.append("<li>").append(esc(c.asText())).append("</li>");
            b.append("</ul>");
        }
        if (document.has("features")) features(b, document.get("features"));
        if ("Feature".equals(document.path("type").asText())) features(b, java.util.List.of(document));
        if (document.has("properties") && document.has("$schema")) {
            b.append("<h2>Queryables</h2><table><tr><th>name</th><th>type</th></tr>");
            document.get("properties").properties().forEach(e -> b.append("<tr><td>").append(esc(e.getKey()))
                    .append("</td><td>").append(esc(e.getValue().path("type").asText(e.getValue().path("format").asText())))
                    .append("</td></tr>"));
            b.append("</table>");
        }
        return b.append("</body></html>").toString();
    }

    private static void links(StringBuilder b, JsonNode links) {
        if (links == null) return;
        b.append("<ul>");
        for (JsonNode l : links) {
            b.append("<li><a href=\"").append(esc(l.path("href").asText())).append("\">")
                    .append(esc(l.path("title").asText(l.path("rel").asText()))).append("</a> <small>(")
                    .append(esc(l.path("rel").asText())).append(", ").append(esc(l.path("type").asText())).append(")</small></li>");
        }
        b.append("</ul>");
    }

    private static void scalars(StringBuilder b, JsonNode document) {
        StringBuilder rows = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = document.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue().isValueNode() && !e.getKey().equals("description") && !e.getKey().equals("title")) {
                rows.append("<tr><th>").append(esc(e.getKey())).append("</th><td>").append(esc(e.getValue().asText()))
                        .append("</td></tr>");
            }
        }
        if (!rows.isEmpty()) b.append("<table>").append(rows).append("</table>");
    }

    private static void features(StringBuilder b, Iterable<JsonNode> features) {
        Set<String> columns = new LinkedHashSet<>();
        for (JsonNode f : features) f.path("properties").fieldNames().forEachRemaining(columns::add);
        b.append("<h2>Features</h2><table><tr><th>id</th>");
        for (String c : columns) b.append("<th>").append(esc(c)).append("</th>");
        b.append("<th>geometry</th></tr>");
        for (JsonNode f : features) {
            b.append("<tr><td>").append(esc(f.path("id").asText())).append("</td>");
            for (String c : columns) {
                JsonNode v = f.path("properties").path(c);
                b.append("<td>").append(v.isNull() || v.isMissingNode() ? "" : esc(v.isValueNode() ? v.asText() : v.toString()))
                        .append("</td>");
            }
            b.append("<td>").append(esc(f.path("geometry").path("type").asText())).append("</td></tr>");
        }
        b.append("</table>");
    }

    static String href(JsonNode links, String rel) {
        if (links != null) for (JsonNode l : links) if (rel.equals(l.path("rel").asText())) return l.path("href").asText();
        return "";
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }
}
