package it.firenze.streetcad.topology;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * How many whole-network operations (fix previews and applies, validations, builds) run at once in this process.
 * Each holds the network it works on in memory and keeps a core busy for seconds: four concurrent fix previews of
 * Florence took 13 s each and grew the process from 212 MB to 2 GB. Beyond the limit a request is told to come back
 * ({@code 503} with {@code Retry-After}) instead of slowing everyone; jobs wait for a permit in a queue that is bounded
 * too, so that a burst of job requests is refused rather than piled up in memory.
 */
public final class HeavyWork {

    /** The default: one job and one interactive fix at a time on a 2-core machine. */
    public static final int DEFAULT_LIMIT = 2;
    /** Jobs waiting for a permit at most, beyond those running. */
    public static final int DEFAULT_QUEUE = 8;

    private final int limit;
    private final int queue;
    private final Semaphore permits;
    /** Jobs running or waiting: a job holds a place from its request until it ends. */
    private final Semaphore places;

    public HeavyWork(int limit) {
        this(limit, DEFAULT_QUEUE);
    }

    public HeavyWork(int limit, int queue) {
        if (limit < 1) throw new IllegalArgumentException("at least one whole-network operation must be allowed");
        if (queue < 0) throw new IllegalArgumentException("the queue of whole-network jobs cannot be negative");
        this.limit = limit;
        this.queue = queue;
        this.permits = new Semaphore(limit, true);
        this.places = new Semaphore(limit + queue);
    }

    /** The limit from STREETCAD_HEAVY_WORK_MAX and the queue from STREETCAD_HEAVY_WORK_QUEUE, else the defaults. */
    public static HeavyWork fromEnvironment(Map<String, String> env) {
        return new HeavyWork(number(env, "STREETCAD_HEAVY_WORK_MAX", DEFAULT_LIMIT), number(env, "STREETCAD_HEAVY_WORK_QUEUE", DEFAULT_QUEUE));
    }

    private static int number(Map<String, String> env, String name, int fallback) {
        String v = env.get(name);
        try {
            return v == null || v.isBlank() ? fallback : Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, not '" + v + "'");
        }
    }

    public int limit() {
        return limit;
    }

    public int queue() {
        return queue;
    }

    /**
     * A place for a job until it ends (it then waits for a permit with {@link #start()}), or empty when {@link #limit}
     * jobs run and {@link #queue} more wait already.
     */
    public Optional<Place> tryQueue() {
        return places.tryAcquire() ? Optional.of(places::release) : Optional.empty();
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

    /** A job's place, running or waiting; closing it when the job ends lets another be asked for. */
    public interface Place extends AutoCloseable {
        @Override
        void close();
    }

    /** A running whole-network operation; closing it lets the next one start. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }
}
