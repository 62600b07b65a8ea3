package it.firenze.streetcad.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 9457 problem details body. {@code parameter} names the request parameter or field that was wrong,
 * so that a client can point at it without parsing prose; {@code code}, where a refusal has one, is a stable word
 * for what happened ({@code cut-off-by-measures}), so that a client can say it in its own language while
 * {@code detail} stays the server's English.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, String parameter,
                      String code) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(int status, String title, String detail) {
        return new Problem("about:blank", title, status, detail, null, null, null);
    }

    public Problem withInstance(String path) {
        return new Problem(type, title, status, detail, path, parameter, code);
    }

    public Problem withParameter(String name) {
        return new Problem(type, title, status, detail, instance, name, code);
    }

    public Problem withCode(String word) {
        return new Problem(type, title, status, detail, instance, parameter, word);
    }
}
