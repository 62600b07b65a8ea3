package it.firenze.streetcad.db;

import it.firenze.streetcad.features.Crs;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The areas of use StreetCad keeps for the CRSs it offers are the EPSG dataset's, as Apache SIS reads it. */
class AreaOfUseTest {

    @Test
    void everyOfferedCrsHasTheEpsgAreaOfUse() {
        for (Crs crs : Crs.offered(6707)) {
            assertArrayEquals(AreaOfUse.lookUp(crs.srid()), AreaOfUse.of(crs.srid()), 1e-9, crs.uri());
        }
    }
}
