package it.firenze.streetcad.api;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Jetty's own refusals, made before a request reaches Javalin (a malformed request 400, a URI too long 414, headers
 * too large 431), answered as problem+json with the security headers like every other error, and without Jetty's
 * message, which may echo what the client sent.
 */
final class JettyErrors extends ErrorHandler {

    private final SecurityHeaders headers;

    JettyErrors(SecurityHeaders headers) {
        this.headers = headers;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) throws IOException {
        Problem problem = Problem.of(code, HttpStatus.getMessage(code), switch (code) {
            case 414 -> "The request's URI is too long for this server.";
            case 431 -> "The request's headers are too large for this server.";
            case 400 -> "The request is not well-formed HTTP.";
            default -> "The server could not handle this request.";
        });
        byte[] body = Json.mapper().writeValueAsBytes(problem);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
        headers.headers().forEach((name, value) -> response.getHeaders().put(name, value));
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        Content.Sink.write(response, true, new String(body, StandardCharsets.UTF_8), callback);
    }
}
