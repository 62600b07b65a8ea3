package it.firenze.streetcad.importer;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A check run on the staged lines of an import before it may be committed (the topology engine implements it).
 * It reads the staging table, which has {@code feature_number bigint}, {@code geom geometry} (LineString in the
 * storage CRS, already reprojected) and the mapped road_element columns by their own names ({@code level},
 * {@code layer}, {@code direction}, {@code functional_class}, …), and may compare it with the cadastre.
 * Findings of severity {@code error} keep their features out of the commit; the others go into the report.
 * It runs inside a transaction that is rolled back afterwards, so it cannot change anything.
 */
public interface PreCommitCheck {
    List<StagedFinding> check(Connection transaction, String stagingTable, int storageSrid) throws SQLException;
}
