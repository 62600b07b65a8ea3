package it.firenze.streetcad.cli;

import it.firenze.streetcad.db.EmbeddedPostgres;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Say what runs on a data directory: its embedded PostgreSQL (port, the StreetCad process that "
                + "started it) and the StreetCad processes using it. Starts and stops nothing.")
final class StatusCommand implements Callable<Integer> {

    @Option(names = "--data-dir", defaultValue = "${env:STREETCAD_DATA_DIR:-./data}", paramLabel = "DIR",
            description = "The data directory (default: ${DEFAULT-VALUE}). Env: STREETCAD_DATA_DIR.")
    Path dataDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        EmbeddedPostgres.status(dataDir).forEach(spec.commandLine().getOut()::println);
        return 0;
    }
}
