package it.firenze.streetcad.cli;

import it.firenze.streetcad.db.DatabaseUnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code java -jar streetcad.jar <subcommand>}: the one entry point of the product. */
@Command(name = "streetcad", mixinStandardHelpOptions = true, version = "StreetCad 0.1",
        description = "The street-cadastre (Catasto delle Strade) GIS server of the City of Florence.",
        subcommands = {ServeCommand.class, MigrateCommand.class, ImportCommand.class, NetworkCommand.class,
                ValidateCommand.class, FixCommand.class, UsersCommand.class, KeysCommand.class},
        footer = {"", "Exit codes: 0 success, 1 failure, 2 wrong usage."})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs one command line and returns its exit code; usable in-process by tests. */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof DatabaseUnavailableException || e instanceof UserFacingException) {
                commandLine.getErr().println("streetcad: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli.execute(args);
    }

    @Spec
    CommandSpec spec;

    /** Running {@code streetcad} with no subcommand is wrong usage: say so and show what there is. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }
}
