package it.firenze.streetcad.topology;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Given the sizes measured on these machines, the heap budget lets through what ran and stops what ran out. */
class HeapBudgetTest {

    static final long MB = 1 << 20;

    @Test
    void florenceFitsInTheHeapItWasValidatedInButNotInTheOneItRanOutOf() {
        // 74,004 elements of 263,431 vertices: validated in 96 MB of heap, out of memory in 64 MB.
        assertTrue(HeapBudget.shortfall(74_004, 263_431, 128 * MB).isEmpty());
        assertTrue(HeapBudget.shortfall(74_004, 263_431, 64 * MB).isPresent());
    }

    @Test
    void aMillionElementGridFitsInTwoGigabytesAndAMillionLineImportIsRefusedInHalfAGigabyte() {
        // The topology benchmark's grid (two vertices each) validated under -Xmx2g; the importer's synthetic million
        // (2 to 7 vertices) ran a 512 MB heap out of memory before this budget existed.
        assertTrue(HeapBudget.shortfall(1_001_112, 2_002_224, 2048 * MB).isEmpty());
        String why = HeapBudget.shortfall(1_000_000, 4_500_000, 512 * MB).orElseThrow();
        assertTrue(why.contains("1,000,000 lines") && why.contains("-Xmx"), why);
    }
}
