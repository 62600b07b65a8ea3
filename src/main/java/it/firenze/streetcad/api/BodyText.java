package it.firenze.streetcad.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What every request body of this API (JSON: a feature, a patch, an operation's parameters, a sign-in) must be to be
 * kept as sent: UTF-8 (RFC 8259 §8.1), and without U+0000, which PostgreSQL text cannot hold. The handlers read bodies
 * as text, which replaced each malformed byte with U+FFFD and stored other text than was sent, and an escaped NUL
 * (backslash, u0000) in a name or a reason failed in the database as a 500; here both are a 400 before any handler
 * runs, naming the member that holds the NUL. Multipart bodies (uploads) are binary, and their handler reads them.
 */
final class BodyText {

    private static final Set<HandlerType> WITH_BODY = Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH);

    private BodyText() {
    }

    static void check(Context ctx) {
        if (!WITH_BODY.contains(ctx.method())) return;
        String type = ctx.contentType();
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/")) return;
        byte[] body = ctx.bodyAsBytes();
        if (body.length == 0) return;
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
        } catch (CharacterCodingException e) {
            throw ProblemException.badRequest("body", "The body is not UTF-8 text; send JSON encoded as UTF-8.");
        }
        if (!escapesNul(body)) return;
        JsonNode json;
        try {
            json = Json.mapper().readTree(body);
        } catch (IOException e) {
            return;  // not JSON: the handler says so
        }
        String member = nulMember(json, "");
        if (member == null) return;
        throw ProblemException.badRequest(member.isEmpty() ? "body" : member, "The body's " + (member.isEmpty()
                ? "text" : member) + " contains a NUL character (\\u0000), which no value may hold.");
    }

    /** Whether the JSON text escapes a NUL: a backslash that is not itself escaped, then u0000. */
    private static boolean escapesNul(byte[] body) {
        for (int i = 0; i + 5 < body.length; i++) {
            if (body[i] != '\\') continue;
            if (body[i + 1] == 'u' && body[i + 2] == '0' && body[i + 3] == '0' && body[i + 4] == '0' && body[i + 5] == '0') {
                return true;
            }
            i++;  // an escaped character, a backslash included, is passed over
        }
        return false;
    }

    /** The path (properties.name, location.points[0]) of the first name or string holding U+0000, or null. */
    private static String nulMember(JsonNode node, String path) {
        if (node.isTextual()) return node.textValue().indexOf('\0') >= 0 ? path : null;
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = nulMember(node.get(i), path + "[" + i + "]");
                if (found != null) return found;
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> member = it.next();
            String name = path.isEmpty() ? member.getKey() : path + "." + member.getKey();
            if (member.getKey().indexOf('\0') >= 0) return name.replace("\0", "");
            String found = nulMember(member.getValue(), name);
            if (found != null) return found;
        }
        return null;
    }
}
