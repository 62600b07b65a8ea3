package it.firenze.streetcad.features;

import io.javalin.http.Context;
import it.firenze.streetcad.api.AllowedMethods;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.slf4j.LoggerFactory;

/**
 * Writing a representation the way every StreetCad read endpoint does: a strong ETag over the bytes, 304 for a
 * matching If-None-Match, and CORS so that web pages on other origins can read it. Compression (gzip) is
 * Javalin's, negotiated with Accept-Encoding.
 */
public final class Responses {

    private Responses() {
    }

    /**
     * A body of text (JSON, GeoJSON) written in UTF-8, with no ETag: Jetty writes a String result in the response's
     * charset, ISO-8859-1 for a type that names none (application/geo+json), and a finding's "6.3°" went out as the
     * byte 0xB0, which no JSON reader takes.
     */
    public static void text(Context ctx, String contentType, String body) {
        ctx.contentType(contentType);
        ctx.result(body.getBytes(StandardCharsets.UTF_8));
    }

    public static void send(Context ctx, String body, String contentType) {
        send(ctx, body.getBytes(StandardCharsets.UTF_8), contentType);
    }

    public static void send(Context ctx, byte[] bytes, String contentType) {
        send(ctx, bytes, contentType, etag(bytes, contentType));
    }

    /** With an ETag the caller derived (from the data version) rather than one hashed from the bytes. */
    public static void send(Context ctx, byte[] bytes, String contentType, String etag) {
        send(ctx, bytes, 0, bytes.length, contentType, etag);
    }

    /**
     * {@code length} bytes of {@code bytes} from {@code offset}, written to the response in one write as the handler
     * returns them (a body set as the result was copied again, 8 KB at a time). Javalin still decides on compression,
     * by this one write's size. A client that accepts no encoding gets no compression, so its body's length is known
     * before it goes: Jetty then sends the headers and the body together, not in chunks closed by a last one.
     */
    public static void send(Context ctx, byte[] bytes, int offset, int length, String contentType, String etag) {
        if (notModified(ctx, etag)) return;
        ctx.contentType(contentType);
        if (ctx.header("Accept-Encoding") == null) ctx.res().setContentLength(length);
        try {
            ctx.outputStream().write(bytes, offset, length);
        } catch (IOException e) {
            // The client went away while the body was going out; the response is committed, nothing is left to say.
            LoggerFactory.getLogger(Responses.class).debug("{} {}: {}", ctx.method(), ctx.path(), e.toString());
        }
    }

    /** A body read as it goes out, such as one in parts that were never joined into one array ({@link #joined}). */
    public static void send(Context ctx, InputStream body, String contentType, String etag) {
        if (notModified(ctx, etag)) return;
        ctx.contentType(contentType);
        ctx.result(body);
    }

    /**
     * Arrays read one after the other as if they were one, without copying them into one: a read fills what it can
     * across them, since Javalin decides on gzip by the size of its first write (a part alone may be too small).
     */
    public static InputStream joined(ByteArrayInputStream... parts) {
        return new InputStream() {
            private int current;

            @Override
            public int read() {
                for (; current < parts.length; current++) {
                    int b = parts[current].read();
                    if (b >= 0) return b;
                }
                return -1;
            }

            @Override
            public int read(byte[] into, int offset, int length) {
                if (length == 0) return 0;
                int done = 0;
                for (; current < parts.length && done < length; current++) {
                    done += Math.max(0, parts[current].read(into, offset + done, length - done));
                    if (done == length) break;
                }
                return done == 0 ? -1 : done;
            }

            @Override
            public int available() {
                int left = 0;
                for (int i = current; i < parts.length; i++) left += parts[i].available();
                return left;
            }
        };
    }

    /**
     * Sets the caching headers; true (and 304) when the client's If-None-Match holds {@code etag}, so that a caller
     * who knows the ETag before doing the work can skip it. Weak comparison (RFC 9110 13.1.2), as for GET.
     */
    public static boolean notModified(Context ctx, String etag) {
        allowCrossOrigin(ctx);
        ctx.header("ETag", etag);
        ctx.header("Vary", "Accept, Accept-Encoding");
        String ifNoneMatch = ctx.header("If-None-Match");
        if (ifNoneMatch == null) return false;
        String opaque = opaque(etag);
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.strip();
            if (c.equals("*") || opaque(c).equals(opaque)) {
                ctx.status(304);
                return true;
            }
        }
        return false;
    }

    private static String opaque(String etag) {
        return etag.startsWith("W/") ? etag.substring(2) : etag;
    }

    /** A weak ETag over what determines a representation, for representations that differ only in a timestamp. */
    public static String weakEtag(String... parts) {
        MessageDigest digest = sha256();
        for (String part : parts) digest.update((part + '\n').getBytes(StandardCharsets.UTF_8));
        return "W/\"" + HexFormat.of().formatHex(digest.digest(), 0, 16) + '"';
    }

    /**
     * Never updated; each ETag digests with a copy of it. MessageDigest.getInstance looked the algorithm up among
     * the security providers on every request (1.6 % of the JVM's samples on a bbox page); a copy is one array.
     */
    private static final MessageDigest SHA_256;

    static {
        try {
            SHA_256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 can be cloned", e);
        }
    }

    public static void allowCrossOrigin(Context ctx) {
        ctx.header("Access-Control-Allow-Origin", "*");
        ctx.header("Access-Control-Expose-Headers", "ETag, Content-Crs, Link");
    }

    /**
     * The answer to OPTIONS, a CORS preflight among them: any origin may GET with the headers a client sends for
     * caching; {@code Allow} names the resource's methods (read-only unless its module declared more with
     * {@link AllowedMethods}), with 200 as OGC API – Features Part 4 /req/create-replace-delete/options-response asks.
     */
    public static void preflight(Context ctx) {
        allowCrossOrigin(ctx);
        ctx.header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
        ctx.header("Access-Control-Allow-Headers", "Accept, Accept-Encoding, If-None-Match, Content-Type");
        ctx.header("Access-Control-Max-Age", "86400");
        if (ctx.res().getHeader("Allow") == null) ctx.header("Allow", AllowedMethods.READ_ONLY);
        ctx.status(200);
    }

    private static String etag(byte[] bytes, String contentType) {
        MessageDigest digest = sha256();
        digest.update(contentType.getBytes(StandardCharsets.UTF_8));
        digest.update(bytes);
        return '"' + HexFormat.of().formatHex(digest.digest(), 0, 16) + '"';
    }
}
