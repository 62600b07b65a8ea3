package it.firenze.streetcad.cli;

import it.firenze.streetcad.db.DatabaseUnavailableException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code java -jar streetcad.jar <subcommand>}: the one entry point of the product. */
@Command(name = "streetcad", mixinStandardHelpOptions = true, version = "StreetCad 0.1",
        description = "The street-cadastre (Catasto delle Strade) GIS server of the City of Florence.",
        subcommands = {ServeCommand.class, MigrateCommand.class, ImportCommand.class, NetworkCommand.class,
                ValidateCommand.class, FixCommand.class, UsersCommand.class, KeysCommand.class,
                StatusCommand.class},
        footer = {"", "Exit codes: 0 success, 1 failure, 2 wrong usage."})
public final class Main implements Runnable {

    public static void main(String[] args) {
        // Bind the logging provider before any thread logs: SLF4J otherwise queues the calls made by other threads
        // during its initialisation (the import reads the .prj and opens the database at the same time) and prints a
        // "replayed" warning on stderr, where a CLI user reads only what concerns them.
        if ("json".equals(logFormat(args))) System.setProperty("logback.configurationFile", "logback-json.xml");
        LoggerFactory.getILoggerFactory();
        System.exit(execute(args));
    }

    /**
     * {@code --log-format} (or STREETCAD_LOG_FORMAT), read before picocli parses anything: logging is configured
     * once, before the first line is written.
     */
    static String logFormat(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--log-format") && i + 1 < args.length) return args[i + 1];
            if (args[i].startsWith("--log-format=")) return args[i].substring("--log-format=".length());
        }
        return System.getenv("STREETCAD_LOG_FORMAT");
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
