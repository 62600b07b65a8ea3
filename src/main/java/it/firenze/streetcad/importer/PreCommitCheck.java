package it.firenze.streetcad.importer;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.db.Database;
import org.locationtech.jts.geom.Envelope;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Consumer;

/**
 * A check run on the staged lines of an import before it may be committed (the topology engine implements it).
 * It reads the staging table, which has {@code feature_number bigint}, {@code geom geometry} (LineString in the
 * storage CRS, already reprojected) and the mapped road_element columns by their own names ({@code level},
 * {@code layer}, {@code direction}, {@code functional_class}, …), and may compare it with the cadastre.
 * Its findings go into the report; they never keep features out of a commit (the technician decides, see
 * {@code import --fail-on}). It runs inside a transaction that is rolled back afterwards, so it cannot change anything.
 */
public interface PreCommitCheck {

    List<StagedFinding> check(Connection transaction, String stagingTable, int storageSrid) throws SQLException;

    /**
     * The same, handing each finding over as soon as it is known, so that a check of millions of lines need not hold
     * its findings; the pipeline calls this one.
     */
    default void check(Connection transaction, String stagingTable, int storageSrid, Consumer<StagedFinding> findings)
            throws SQLException {
        check(transaction, stagingTable, storageSrid).forEach(findings);
    }

    /**
     * Told, once an import is committed, the extent (storage CRS) of everything it added, changed or removed, so
     * that what the check keeps about the cadastre (the topology's open issues) follows the edit.
     */
    default void committed(Database database, Envelope changed) throws SQLException {
    }

    /** The same, for a follow-up that writes (a network build): {@code actor} committed the import. */
    default void committed(Database database, Envelope changed, Actor actor) throws SQLException {
        committed(database, changed);
    }

    /**
     * Whether the check reads nothing but the staging table (no cadastre table): the import's commit may then be
     * written while it runs ({@link CommitBesideTheCheck}). One that reads the cadastre could wait for that commit's
     * locks (a first load holds road_element whole) while the commit waits for it to end.
     */
    default boolean readsOnlyTheStagedLines() {
        return false;
    }

    /**
     * Whether the check's findings are what validating the committed elements would find again (it judged the lines
     * as the cadastre will hold them): the pipeline then keeps every one of them, and the commit which element each
     * feature became, so that the follow-up records them instead of validating the same lines a second time.
     */
    default boolean recordsFindings() {
        return false;
    }

    /**
     * The same as {@link #committed(Database, Envelope, Actor)}, with the check's findings and the elements the commit
     * touched when {@link #recordsFindings} and the commit wrote exactly what was checked; {@code recorded} is null
     * otherwise (features left out as invalid, or findings not kept), and the check must judge the change itself.
     */
    default void committed(Database database, Envelope changed, Actor actor, StagedFindings recorded) throws SQLException {
        committed(database, changed, actor);
    }
}
