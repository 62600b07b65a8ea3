package it.firenze.streetcad.api;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.NanoTime;

import java.util.concurrent.TimeUnit;

/**
 * Cuts off a request body that arrives too slowly (slowloris on bodies), for every route, before Javalin: Jetty 12
 * no longer enforces {@code HttpConfiguration}'s minimum request data rate, and its idle timeout starts again at
 * every byte, so one byte every 5 s held {@code POST /imports} and its thread for over six minutes. Once a body has
 * been read for {@link #GRACE_SECONDS}, the bytes read divided by the time since its first read must reach
 * {@link #MINIMUM_BYTES_PER_SECOND}; below that every further read fails with {@link SlowBody}, and {@link HttpServer}
 * answers 408 after the handler, whatever the handler made of the failed read (most take it for a malformed body),
 * and closes the connection. A body that stops altogether is ended by the idle timeout, so a thread is held at most
 * the grace period plus one idle timeout.
 */
final class SlowBodies extends Handler.Wrapper {

    /**
     * Time for a body's first bytes to come up to speed (TCP slow start, a client opening the file, a mobile link
     * waking up): any body that arrives whole within it is never judged, whatever its rate (an edit from a field
     * tablet on GPRS, say).
     */
    static final long GRACE_SECONDS = 10;
    /**
     * 8 KiB/s (64 kbit/s, ISDN's rate) averaged over the whole body: the slowest office line a technician uploads
     * from (256 kbit/s ADSL upstream, 32 KB/s) sends a 100 MB zip in about 55 minutes, four times faster than this
     * asks; an attacker must spend 8 KiB/s of real traffic on every thread it holds instead of a byte now and then.
     */
    static final long MINIMUM_BYTES_PER_SECOND = 8 * 1024;

    SlowBodies(Handler handler) {
        super(handler);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        // Bodies come with one of the two; a request without (a GET) has nothing to guard.
        boolean body = request.getHeaders().contains(HttpHeader.CONTENT_LENGTH)
                || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
        return super.handle(body ? new Guarded(request) : request, response, callback);
    }

    /** The request attribute holding the {@link SlowBody} of a body cut off. */
    private static final String CUT_OFF = SlowBodies.class.getName() + ".cutOff";

    /** Why this request's body was cut off, or null when it was not. */
    static SlowBody cutOff(io.javalin.http.Context ctx) {
        return ctx.attribute(CUT_OFF);
    }

    /** Why a body's read failed: it came too slowly. */
    static final class SlowBody extends java.util.concurrent.TimeoutException {
        SlowBody(long bytes, long nanos) {
            super("the body arrived at " + Math.round(bytes / (nanos / 1e9)) + " bytes/s over "
                    + TimeUnit.NANOSECONDS.toSeconds(nanos) + " s; at least " + MINIMUM_BYTES_PER_SECOND
                    + " bytes/s are needed once a body takes longer than " + GRACE_SECONDS + " s");
        }
    }

    private static final class Guarded extends Request.Wrapper {
        private boolean reading;
        private boolean ended;
        private long firstRead;
        private long bytes;
        private Content.Chunk failed;

        Guarded(Request request) {
            super(request);
        }

        @Override
        public Content.Chunk read() {
            if (failed != null) return failed;
            // A body read to its end is judged no more, however long its handler takes before reading again.
            if (ended) return super.read();
            long now = NanoTime.now();
            if (!reading) {
                reading = true;
                firstRead = now;
            } else {
                long elapsed = NanoTime.elapsed(firstRead, now);
                if (elapsed > TimeUnit.SECONDS.toNanos(GRACE_SECONDS)
                        && bytes < MINIMUM_BYTES_PER_SECOND * (elapsed / 1e9)) {
                    SlowBody slow = new SlowBody(bytes, elapsed);
                    setAttribute(CUT_OFF, slow);
                    failed = Content.Chunk.from(slow, true);
                    return failed;
                }
            }
            Content.Chunk chunk = super.read();
            if (chunk != null) {
                bytes += chunk.remaining();
                ended = chunk.isLast();
            }
            return chunk;
        }

        @Override
        public void demand(Runnable demandCallback) {
            if (failed != null) demandCallback.run();
            else super.demand(demandCallback);
        }
    }
}
