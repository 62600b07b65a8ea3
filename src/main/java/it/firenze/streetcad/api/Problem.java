package it.firenze.streetcad.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 9457 problem details body. {@code parameter} names the request parameter or field that was wrong,
 * so that a client can point at it without parsing prose.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, String parameter) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(int status, String title, String detail) {
        return new Problem("about:blank", title, status, detail, null, null);
    }

    public Problem withInstance(String path) {
        return new Problem(type, title, status, detail, path, parameter);
    }

    public Problem withParameter(String name) {
        return new Problem(type, title, status, detail, instance, name);
    }
}
