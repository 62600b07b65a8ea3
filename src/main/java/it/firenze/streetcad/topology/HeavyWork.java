package it.firenze.streetcad.topology;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * How many whole-network operations (fix previews and applies, validations, builds) run at once in this process.
 * Each holds the network it works on in memory and keeps a core busy for seconds: four concurrent fix previews of
 * Florence took 13 s each and grew the process from 212 MB to 2 GB. Beyond the limit a request is told to come back
 * ({@code 503} with {@code Retry-After}) instead of slowing everyone; queued jobs wait for a permit.
 */
public final class HeavyWork {

    /** The default: one job and one interactive fix at a time on a 2-core machine. */
    public static final int DEFAULT_LIMIT = 2;

    private final int limit;
    private final Semaphore permits;

    public HeavyWork(int limit) {
        if (limit < 1) throw new IllegalArgumentException("at least one whole-network operation must be allowed");
        this.limit = limit;
        this.permits = new Semaphore(limit, true);
    }

    /** The limit from STREETCAD_HEAVY_WORK_MAX, else {@link #DEFAULT_LIMIT}. */
    public static HeavyWork fromEnvironment(Map<String, String> env) {
        String v = env.get("STREETCAD_HEAVY_WORK_MAX");
        try {
            return new HeavyWork(v == null || v.isBlank() ? DEFAULT_LIMIT : Integer.parseInt(v.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("STREETCAD_HEAVY_WORK_MAX must be a whole number, not '" + v + "'");
        }
    }

    public int limit() {
        return limit;
    }

    /** A permit held until closed, or empty when {@link #limit} operations run already. */
    public Optional<Permit> tryStart() {
        return permits.tryAcquire() ? Optional.of(permits::release) : Optional.empty();
    }

    /** Waits for a permit (for jobs, which wait in their queue anyway). */
    public Permit start() throws InterruptedException {
        permits.acquire();
        return permits::release;
    }

    /** A running whole-network operation; closing it lets the next one start. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }
}
