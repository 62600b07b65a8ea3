import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import java.lang.management.ManagementFactory;

// The CPU time of one login's password check (Argon2id at the server's settings), which a loaded machine cannot inflate:
// java -cp target/streetcad.jar bench/PasswordHashCost.java
public class PasswordHashCost {
    public static void main(String[] a) {
        var enc = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
        String hash = enc.encode("bench password 2026");
        var mx = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 5; i++) enc.matches("bench password 2026", hash);
        int n = 20;
        long cpu0 = mx.getCurrentThreadCpuTime(), wall0 = System.nanoTime();
        for (int i = 0; i < n; i++) enc.matches("bench password 2026", hash);
        System.out.printf("Argon2id verify: %.1f ms CPU, %.1f ms wall per hash (n=%d)%n",
                (mx.getCurrentThreadCpuTime() - cpu0) / 1e6 / n, (System.nanoTime() - wall0) / 1e6 / n, n);
    }
}
