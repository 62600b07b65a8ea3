package it.firenze.streetcad.importer;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

public interface PreCommitCheck {
    List<StagedFinding> check(Connection transaction, String stagingTable, int storageSrid) throws SQLException;
}
