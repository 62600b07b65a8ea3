package it.firenze.streetcad.importer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Items passed from one thread to another in batches, through a queue of a few batches: an import's stages that
 * are not the database's (reading the source, validating, encoding COPY rows) then run on two cores at once, while
 * memory holds no more than the queue. Either side may give up: the other learns it at its next call (a producer
 * waiting on a full queue within {@link #POLL_MS}), so that neither waits forever on a side that has stopped.
 */
final class Handoff<T> {

    private static final long POLL_MS = 50;

    private final BlockingQueue<List<T>> queue;
    private final int batchSize;
    /** Ends the queue (identity). */
    private final List<T> end = new ArrayList<>(0);
    private List<T> batch;
    /** Why the producer stopped early ({@link #fail}), or why the consumer gave up ({@link #abandon}). */
    private volatile Throwable failure;
    private volatile boolean abandoned;

    Handoff(int batchSize, int batches) {
        this.batchSize = batchSize;
        this.queue = new ArrayBlockingQueue<>(batches);
        this.batch = new ArrayList<>(batchSize);
    }

    /** On the producer's thread. */
    void put(T item) throws InterruptedException {
        batch.add(item);
        if (batch.size() == batchSize) {
            send(batch);
            batch = new ArrayList<>(batchSize);
        }
    }

    /** On the producer's thread: no more items. */
    void close() throws InterruptedException {
        if (!batch.isEmpty()) send(batch);
        batch = null;
        send(end);
    }

    /** On the producer's thread: it stopped for {@code reason}, which the consumer's next {@link #take} throws. */
    void fail(Throwable reason) {
        failure = reason;
        try {
            send(end);
        } catch (InterruptedException | Abandoned e) {
            // the consumer is gone or we are stopped: nobody is left to tell
        }
    }

    /** On the consumer's thread: the next batch, or null once the producer closed. */
    List<T> take() throws InterruptedException {
        List<T> next = queue.take();
        if (next != end) return next;
        Throwable e = failure;
        if (e instanceof RuntimeException r) throw r;
        if (e instanceof Error r) throw r;
        if (e != null) throw new IllegalStateException(e.getMessage(), e);
        return null;
    }

    /** On the consumer's thread: it takes no more; the producer's next {@link #put} throws {@link Abandoned}. */
    void abandon() {
        abandoned = true;
        queue.clear();
    }

    private void send(List<T> items) throws InterruptedException {
        while (!queue.offer(items, POLL_MS, TimeUnit.MILLISECONDS)) {
            if (abandoned) throw new Abandoned();
        }
        if (abandoned) throw new Abandoned();
    }

    /** Thrown to the producer when the consumer has given up. */
    static final class Abandoned extends RuntimeException {
        Abandoned() {
            super("the other side of the handoff stopped", null, false, false);
        }
    }
}
