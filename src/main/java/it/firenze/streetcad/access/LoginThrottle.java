package it.firenze.streetcad.access;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down and then stops password guessing, per account name and per client address: from the third failure in a
 * row each failed answer is held back longer (0.25 s, 0.5 s, … up to 4 s); the fifth failure for an account name, or
 * the twentieth from an address, locks it for {@link #LOCK}. Names that have no account are counted the same way,
 * so the answers do not tell which names exist. Kept in memory: a restart forgets it, and each instance counts alone.
 */
final class LoginThrottle {

    static final Duration LOCK = Duration.ofMinutes(15);
    static final int ACCOUNT_LIMIT = 5, ADDRESS_LIMIT = 20;
    private static final Duration WINDOW = Duration.ofMinutes(15);
    private static final int MAX_TRACKED = 100_000;

    private record Failures(int count, long lastMillis, long lockedUntilMillis) {
    }

    private final Map<String, Failures> byAccount = new ConcurrentHashMap<>();
    private final Map<String, Failures> byAddress = new ConcurrentHashMap<>();

    /** Milliseconds until the name or the address may try again; 0 when they may now. */
    long lockedFor(String username, String address) {
        long now = System.currentTimeMillis();
        return Math.max(remaining(byAccount.get(username), now), remaining(byAddress.get(address), now));
    }

    /** Counts a failure and returns how long to hold its answer back, in milliseconds. */
    long failed(String username, String address) {
        long now = System.currentTimeMillis();
        if (byAccount.size() + byAddress.size() > MAX_TRACKED) forgetOld(now);
        Failures account = byAccount.compute(username, (k, f) -> next(f, now, ACCOUNT_LIMIT));
        byAddress.compute(address, (k, f) -> next(f, now, ADDRESS_LIMIT));
        return account.count() < 3 ? 0 : Math.min(4000, 250L << Math.min(4, account.count() - 3));
    }

    /** A right password clears the name's count (not the address's: one good account must not hide guessing others). */
    void succeeded(String username) {
        byAccount.remove(username);
    }

    private static Failures next(Failures f, long now, int limit) {
        int count = f == null || now - f.lastMillis() > WINDOW.toMillis() ? 1 : f.count() + 1;
        return new Failures(count, now, count >= limit ? now + LOCK.toMillis() : 0);
    }

    private static long remaining(Failures f, long now) {
        return f == null ? 0 : Math.max(0, f.lockedUntilMillis() - now);
    }

    private void forgetOld(long now) {
        long horizon = Math.max(WINDOW.toMillis(), LOCK.toMillis());
        byAccount.values().removeIf(f -> now - f.lastMillis() > horizon);
        byAddress.values().removeIf(f -> now - f.lastMillis() > horizon);
    }
}
