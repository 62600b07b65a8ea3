package it.firenze.streetcad.cli;

import it.firenze.streetcad.access.ApiKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "API keys of the city's systems, sent as Authorization: Bearer <key>.",
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
final class KeysCommand implements Runnable {

    /** Dates without a time are days of the city's calendar. */
    static final ZoneId CITY = ZoneId.of("Europe/Rome");

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a key. The key is printed once, on its own line, last; only its hash is kept.")
    static final class Create implements Callable<Integer> {
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "What the key is for (the system using it).")
        String name;

        @Option(names = "--role", required = true, split = ",", paramLabel = "ROLE[,ROLE]",
                description = "viewer, editor, operator, technician or admin.")
        List<String> roles;

        @Option(names = "--org", paramLabel = "ORG", description = "The organisation the system belongs to.")
        String organisation;

        @Option(names = "--expires", paramLabel = "DATE",
                description = "Last day the key works (2027-06-30, Europe/Rome), or an RFC 3339 instant. Default: never.")
        String expires;

        @Mixin
        DatabaseOptions database;

        @Mixin
        ActorOptions as;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            var chosen = UsersCommand.roles(roles);
            Instant expiry = expiry(expires);
            try {
                database.withStore("creating the key", store -> {
                    ApiKeys.Created created = new ApiKeys(store.database()).create(name, chosen, organisation, expiry,
                            as.actor(store.database(), "keys create"));
                    PrintWriter out = spec.commandLine().getOut();
                    out.println("key " + created.key().id() + " (" + created.key().name() + ") created: "
                            + UsersCommand.roleList(created.key().roles()) + (expiry == null ? ", no expiry" : ", expires " + expiry)
                            + ". Store it now; it is not shown again:");
                    out.println(created.secret());
                });
            } catch (IllegalArgumentException e) {
                throw new UserFacingException(e.getMessage() + "; nothing changed");
            }
            return 0;
        }

        static Instant expiry(String text) {
            if (text == null) return null;
            try {
                return LocalDate.parse(text).plusDays(1).atStartOfDay(CITY).toInstant();
            } catch (DateTimeParseException notADate) {
                try {
                    return OffsetDateTime.parse(text).toInstant();
                } catch (DateTimeParseException e) {
                    throw new UserFacingException("--expires " + text + ": give a date like 2027-06-30 or an instant like "
                            + "2027-06-30T18:00:00+02:00");
                }
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the keys (never their secrets).")
    static final class ListKeys implements Callable<Integer> {
        @Mixin
        DatabaseOptions database;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            database.withStore("listing the keys", store -> {
                PrintWriter out = spec.commandLine().getOut();
                out.println("id\tname\torganisation\troles\tcreated\tby\texpires\trevoked\tlast used");
                for (ApiKeys.Key k : new ApiKeys(store.database()).list()) {
                    out.println(String.join("\t", Long.toString(k.id()), k.name(), String.valueOf(k.organisation()),
                            UsersCommand.roleList(k.roles()), String.valueOf(k.createdAt()), k.createdBy(),
                            k.expiresAt() == null ? "never" : k.expiresAt().toString(),
                            k.revokedAt() == null ? "no" : k.revokedAt().toString(),
                            k.lastUsedAt() == null ? "never" : k.lastUsedAt().toString()));
                }
            });
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a key for good.")
    static final class Revoke implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ID", description = "The key's id (keys list).")
        long id;

        @Mixin
        DatabaseOptions database;

        @Mixin
        ActorOptions as;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            database.withStore("revoking the key", store -> {
                if (!new ApiKeys(store.database()).revoke(id, as.actor(store.database(), "keys revoke"))) {
                    throw new UserFacingException("there is no unrevoked key " + id);
                }
                spec.commandLine().getOut().println("key " + id + " revoked");
            });
            return 0;
        }
    }
}
