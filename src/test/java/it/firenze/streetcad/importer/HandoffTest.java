package it.firenze.streetcad.importer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The hand-off between an import's threads: everything arrives in order, and neither side waits on a stopped one. */
class HandoffTest {

    @Test
    @Timeout(10)
    void everyItemArrivesOnceInTheOrderItWasPutThenTheEnd() throws Exception {
        // Given a queue of 2 batches of 3, and a producer of more items than it holds
        Handoff<Integer> handoff = new Handoff<>(3, 2);
        Thread producer = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < 100; i++) handoff.put(i);
                handoff.close();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        // When the consumer takes until the end
        List<Integer> taken = new ArrayList<>();
        for (List<Integer> batch = handoff.take(); batch != null; batch = handoff.take()) taken.addAll(batch);
        producer.join();

        // Then it got all of them, in order
        assertEquals(java.util.stream.IntStream.range(0, 100).boxed().toList(), taken);
    }

    @Test
    @Timeout(10)
    void aProducersFailureIsThrownToTheConsumerAfterWhatCameBefore() throws Exception {
        // Given a producer that fails after two items (a source that cannot be read further)
        Handoff<String> handoff = new Handoff<>(1, 4);
        IllegalArgumentException unreadable = new IllegalArgumentException("record 3 is damaged");
        handoff.put("a");
        handoff.put("b");
        handoff.fail(unreadable);

        // Then the consumer takes both, then gets that very failure
        assertEquals(List.of("a"), handoff.take());
        assertEquals(List.of("b"), handoff.take());
        assertSame(unreadable, assertThrows(IllegalArgumentException.class, handoff::take));
    }

    @Test
    @Timeout(10)
    void aProducerWaitingOnAFullQueueStopsWhenTheConsumerGivesUp() throws Exception {
        // Given a producer blocked on a full queue of one batch of one
        Handoff<Integer> handoff = new Handoff<>(1, 1);
        AtomicReference<Throwable> stopped = new AtomicReference<>();
        Thread producer = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; ; i++) handoff.put(i);
            } catch (Throwable e) {
                stopped.set(e);
            }
        });
        assertEquals(List.of(0), handoff.take());

        // When the consumer gives up (its COPY failed)
        handoff.abandon();
        producer.join();

        // Then the producer learns it instead of waiting for ever
        assertInstanceOf(Handoff.Abandoned.class, stopped.get());
    }

    @Test
    @Timeout(10)
    void aClosedEmptyHandoffEndsAtOnce() throws Exception {
        Handoff<Integer> handoff = new Handoff<>(8, 2);
        handoff.close();
        assertNull(handoff.take());
    }
}
