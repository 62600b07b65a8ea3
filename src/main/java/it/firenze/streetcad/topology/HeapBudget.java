package it.firenze.streetcad.topology;

import java.util.Optional;

/**
 * Whether lines fit in this JVM's heap, told before any is read: the engine holds them all, with its indexes, and a
 * heap that runs out mid-check leaves nothing but an OutOfMemoryError (a 1,000,000-line import at {@code -Xmx512m}
 * did). Calibrated on Florence, whose full validation (74,004 elements of 263,431 vertices, 51,724 junctions) runs
 * in 96 MB of heap and not in 64 MB: these costs put it at 78 MB, and want a fifth of the heap left over.
 */
final class HeapBudget {

    private static final long BYTES_PER_LINE = 700;
    private static final long BYTES_PER_VERTEX = 100;

    private HeapBudget() {
    }

    /** Empty when {@code lines} of {@code vertices} in all fit in this JVM; otherwise why not, in a sentence. */
    static Optional<String> shortfall(long lines, long vertices) {
        return shortfall(lines, vertices, Runtime.getRuntime().maxMemory());
    }

    /**
     * Into how many parts lines must be cut for each to be checked in a quarter of what this JVM can give (the rest
     * for the findings on their way out, the reading of the next part, the other work of the process).
     */
    static long parts(long lines, long vertices) {
        long budget = Runtime.getRuntime().maxMemory() / 5 * 4 / 4;
        return Math.max(1, (lines * BYTES_PER_LINE + vertices * BYTES_PER_VERTEX + budget - 1) / budget);
    }

    static Optional<String> shortfall(long lines, long vertices, long maxHeapBytes) {
        long needed = lines * BYTES_PER_LINE + vertices * BYTES_PER_VERTEX;
        if (needed <= maxHeapBytes / 5 * 4) return Optional.empty();
        return Optional.of(String.format("checking %,d lines of %,d vertices needs about %,d MB of heap and this JVM "
                + "has %,d MB (raise it with -Xmx, or validate where there is more)", lines, vertices, needed >> 20,
                maxHeapBytes >> 20));
    }
}
