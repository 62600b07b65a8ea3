package it.firenze.streetcad.cli;

import it.firenze.streetcad.db.CadastreStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Bring the cadastre schema of a database to the newest version (a no-op when it already is).")
final class MigrateCommand implements Callable<Integer> {

    @Mixin
    DatabaseOptions database;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (CadastreStore store = CadastreStore.open(database.settings())) {
            spec.commandLine().getOut().println("cadastre schema at version " + store.database().schemaVersion());
        }
        return 0;
    }
}
