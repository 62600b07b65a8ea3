package it.firenze.streetcad.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An RFC 9457 problem details body. {@code parameter} names the request parameter or field that was wrong,
 * so that a client can point at it without parsing prose; {@code code}, where a refusal has one, is a stable word
 * for what happened ({@code cut-off-by-measures}), so that a client can say it in its own language while
 * {@code detail} stays the server's English; {@code members} are the figures that English states (RFC 9457 §3.2
 * extension members, as {@code length_m}), so that the client's words can state them without parsing the detail.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, String parameter,
                      String code, @JsonAnyGetter Map<String, Object> members) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public Problem {
        members = Map.copyOf(members);
    }

    public static Problem of(int status, String title, String detail) {
        return new Problem("about:blank", title, status, detail, null, null, null, Map.of());
    }

    public Problem withInstance(String path) {
        return new Problem(type, title, status, detail, path, parameter, code, members);
    }

    public Problem withParameter(String name) {
        return new Problem(type, title, status, detail, instance, name, code, members);
    }

    public Problem withCode(String word) {
        return new Problem(type, title, status, detail, instance, parameter, word, members);
    }

    public Problem withMembers(Map<String, Object> more) {
        Map<String, Object> all = new LinkedHashMap<>(members);
        all.putAll(more);
        return new Problem(type, title, status, detail, instance, parameter, code, all);
    }
}
