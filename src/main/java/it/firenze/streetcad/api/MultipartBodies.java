package it.firenze.streetcad.api;

import io.javalin.http.Context;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which part of a multipart form body to blame when Jetty gives up on it. Jetty's verdicts ("unexpected EOF in
 * CONTENT", "Form is larger than max length 200000") name no part, yet a client must be told which field to fix: a
 * cut-off upload is the file's fault, an oversized form field its own. So the bytes Jetty's form parser reads are
 * also followed by a second Jetty multipart parser that only notes the part it is in and the size of each field
 * (a part without a file name).
 */
public final class MultipartBodies extends Handler.Wrapper {

    private static final String PART = MultipartBodies.class.getName() + ".part";
    /** The part's name in its Content-Disposition header ({@code form-data; name="layer"}), quoted or not. */
    private static final Pattern NAME = Pattern.compile("(?i)(?:^|;)\\s*name\\s*=\\s*(?:\"([^\"]*)\"|([^;\\s]*))");
    private static final Pattern FILE_NAME = Pattern.compile("(?i);\\s*filename\\*?\\s*=");

    /**
     * The part whose headers or content were being read when the body's reading stopped; once the whole form was
     * read (Jetty checks the size of its fields at the end), the largest field. Empty when the reading stopped
     * outside any part (an empty body, or between parts) or the request was no multipart form.
     */
    public static Optional<String> partToBlame(Context ctx) {
        return Optional.ofNullable(ctx.attribute(PART));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        boolean form = type != null && MimeTypes.getBaseType(type) == MimeTypes.Type.MULTIPART_FORM_DATA;
        String boundary = form ? MultiPart.extractBoundary(type) : null;
        return super.handle(boundary == null ? request : new Followed(request, boundary), response, callback);
    }

    private static final class Followed extends Request.Wrapper implements MultiPart.Parser.Listener {
        private final MultiPart.Parser parser;
        private boolean ended;
        private String part;
        private boolean field;
        private long fieldBytes;
        private String largestField;
        private long largestFieldBytes = -1;

        Followed(Request request, String boundary) {
            super(request);
            this.parser = new MultiPart.Parser(boundary, this);
        }

        @Override
        public Content.Chunk read() {
            Content.Chunk chunk = super.read();
            // A view of the same bytes, so that following them moves nothing the form parser reads; a body read to
            // its end (a reader may ask again) is not followed twice.
            if (chunk != null && !ended && !Content.Chunk.isFailure(chunk)) {
                parser.parse(Content.Chunk.from(chunk.getByteBuffer().slice(), chunk.isLast()));
                ended = chunk.isLast();
            }
            return chunk;
        }

        @Override
        public void onPartBegin() {
            part = null;
            field = true;
            fieldBytes = 0;
        }

        @Override
        public void onPartHeader(String name, String value) {
            if (!HttpHeader.CONTENT_DISPOSITION.is(name)) return;
            Matcher m = NAME.matcher(value);
            if (m.find()) setAttribute(PART, part = m.group(1) != null ? m.group(1) : m.group(2));
            field = !FILE_NAME.matcher(value).find();
        }

        @Override
        public void onPartContent(Content.Chunk chunk) {
            fieldBytes += chunk.remaining();
        }

        @Override
        public void onPartEnd() {
            removeAttribute(PART);
            if (part != null && field && fieldBytes > largestFieldBytes) {
                largestField = part;
                largestFieldBytes = fieldBytes;
            }
        }

        @Override
        public void onComplete() {
            if (largestField != null) setAttribute(PART, largestField);
        }
    }
}
