package it.firenze.streetcad.cli;

import it.firenze.streetcad.access.Accounts;
import it.firenze.streetcad.access.Role;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "users", mixinStandardHelpOptions = true,
        description = "Accounts of the people who sign in to StreetCad (the web map, the API).",
        subcommands = {UsersCommand.Add.class, UsersCommand.ListUsers.class, UsersCommand.Disable.class, UsersCommand.Passwd.class})
final class UsersCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    /** The roles of --role ROLE[,ROLE…], said plainly when one is unknown. */
    static Set<Role> roles(List<String> ids) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String id : ids) {
            roles.add(Role.byId(id.strip().toLowerCase(java.util.Locale.ROOT)).orElseThrow(() -> new UserFacingException(
                    "unknown role '" + id + "'; the roles are " + Role.ids())));
        }
        return roles;
    }

    static String roleList(Set<Role> roles) {
        return roles.stream().sorted().map(Role::id).collect(Collectors.joining(","));
    }

    /** A password from the terminal (asked twice), or the first line of standard input with --password-stdin. */
    static String password(boolean fromStdin, String account) {
        if (fromStdin) {
            try {
                String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                if (line == null || line.isEmpty()) throw new UserFacingException("--password-stdin: standard input has no password");
                return line;
            } catch (IOException e) {
                throw new UserFacingException("--password-stdin: reading standard input failed: " + e.getMessage());
            }
        }
        Console console = System.console();
        if (console == null) {
            throw new UserFacingException("there is no terminal to ask for the password; pipe it in with --password-stdin");
        }
        char[] first = console.readPassword("Password for %s (at least %d characters): ", account, Accounts.MIN_PASSWORD_LENGTH);
        char[] again = console.readPassword("The same password again: ");
        try {
            if (first == null || !Arrays.equals(first, again)) throw new UserFacingException("the two passwords differ; nothing changed");
            return new String(first);
        } finally {
            if (first != null) Arrays.fill(first, ' ');
            if (again != null) Arrays.fill(again, ' ');
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add an account; its password is asked for.")
    static final class Add implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "The username: lower-case letters, digits, '.', '_', '-'.")
        String username;

        @Option(names = "--role", required = true, split = ",", paramLabel = "ROLE[,ROLE]",
                description = "viewer, editor, operator, technician or admin.")
        List<String> roles;

        @Option(names = "--org", paramLabel = "ORG", description = "The organisation (road office, police, a utility).")
        String organisation;

        @Option(names = "--display-name", paramLabel = "TEXT", description = "The person's name as shown (default: NAME).")
        String displayName;

        @Option(names = "--password-stdin", description = "Read the password from the first line of standard input.")
        boolean passwordStdin;

        @Mixin
        DatabaseOptions database;

        @Mixin
        ActorOptions as;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Set<Role> chosen = roles(roles);
            String password = password(passwordStdin, username);
            try {
                database.withStore("adding the account", store -> {
                    Accounts.Account a = new Accounts(store.database()).add(username, displayName, organisation, chosen, password,
                            as.actor(store.database(), "users add"));
                    spec.commandLine().getOut().println("account " + a.username() + " added: " + roleList(a.roles())
                            + (a.organisation() == null ? "" : ", " + a.organisation()));
                });
            } catch (IllegalArgumentException e) {
                throw new UserFacingException(e.getMessage() + "; nothing changed");
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the accounts.")
    static final class ListUsers implements Callable<Integer> {
        @Mixin
        DatabaseOptions database;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            database.withStore("listing the accounts", store -> {
                PrintWriter out = spec.commandLine().getOut();
                out.println("username\tname\torganisation\troles\tenabled\tcreated\tlast login");
                for (Accounts.Account a : new Accounts(store.database()).list()) {
                    out.println(String.join("\t", a.username(), a.displayName(), String.valueOf(a.organisation()),
                            roleList(a.roles()), a.enabled() ? "yes" : "no", String.valueOf(a.createdAt()),
                            a.lastLoginAt() == null ? "never" : a.lastLoginAt().toString()));
                }
            });
            return 0;
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Disable an account and end its sessions.")
    static final class Disable implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String username;

        @Mixin
        DatabaseOptions database;

        @Mixin
        ActorOptions as;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            database.withStore("disabling the account", store -> {
                if (!new Accounts(store.database()).disable(username, as.actor(store.database(), "users disable"))) {
                    throw new UserFacingException("there is no account '" + username + "'");
                }
                spec.commandLine().getOut().println("account " + username + " disabled; its sessions are ended");
            });
            return 0;
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true, description = "Set an account's password and end its sessions.")
    static final class Passwd implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String username;

        @Option(names = "--password-stdin", description = "Read the password from the first line of standard input.")
        boolean passwordStdin;

        @Mixin
        DatabaseOptions database;

        @Mixin
        ActorOptions as;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String password = password(passwordStdin, username);
            try {
                database.withStore("changing the password", store -> {
                    if (!new Accounts(store.database()).setPassword(username, password, as.actor(store.database(), "users passwd"))) {
                        throw new UserFacingException("there is no account '" + username + "'");
                    }
                    spec.commandLine().getOut().println("password of " + username + " changed; its sessions are ended");
                });
            } catch (IllegalArgumentException e) {
                throw new UserFacingException(e.getMessage() + "; nothing changed");
            }
            return 0;
        }
    }
}
