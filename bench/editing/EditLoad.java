import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Editors under load: each of N editors PATCHes one attribute of its own road element again and again for S seconds,
 * sending the ETag of its last answer in If-Match, as the web map does. Prints edits/s and latency percentiles, then
 * checks that no update was lost: each element's version grew by exactly the edits its editor made.
 * Usage: java bench/editing/EditLoad.java BASE_URL API_KEY SECONDS ELEMENT_ID...   (one editor per element)
 */
public class EditLoad {
    static final Pattern VERSION = Pattern.compile("\"version\":(\\d+)");

    public static void main(String[] args) throws Exception {
        String base = args[0], key = args[1];
        long seconds = Long.parseLong(args[2]);
        long[] ids = Arrays.stream(args, 3, args.length).mapToLong(Long::parseLong).toArray();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long[] before = new long[ids.length];
        for (int i = 0; i < ids.length; i++) before[i] = version(client, base, key, ids[i]);
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicLong failures = new AtomicLong();
        long[] edits = new long[ids.length];
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<Thread> editors = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            int n = i;
            editors.add(Thread.ofPlatform().start(() -> {
                try {
                    String etag = "\"" + before[n] + "\"";
                    int speed = 10;
                    while (System.nanoTime() < end) {
                        speed = speed == 50 ? 10 : speed + 10;
                        long t0 = System.nanoTime();
                        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base
                                        + "/collections/road-elements/items/" + ids[n]))
                                .header("Authorization", "Bearer " + key).header("If-Match", etag)
                                .header("Content-Type", "application/merge-patch+json")
                                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"properties\":{\"speed_limit\":" + speed + "}}"))
                                .build(), HttpResponse.BodyHandlers.ofString());
                        long t1 = System.nanoTime();
                        if (r.statusCode() != 200) {
                            failures.incrementAndGet();
                            System.err.println(r.statusCode() + " " + r.body());
                            return;
                        }
                        latencies.add(t1 - t0);
                        edits[n]++;
                        etag = r.headers().firstValue("ETag").orElseThrow();
                    }
                } catch (Exception e) {
                    failures.incrementAndGet();
                    e.printStackTrace();
                }
            }));
        }
        long started = System.nanoTime();
        for (Thread t : editors) t.join();
        double elapsed = (System.nanoTime() - started) / 1e9;
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        long total = Arrays.stream(edits).sum();
        long lost = 0;
        for (int i = 0; i < ids.length; i++) lost += Math.abs(version(client, base, key, ids[i]) - before[i] - edits[i]);
        System.out.printf("editors %d, edits %d in %.1f s: %.0f edits/s, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, "
                        + "failures %d, lost updates %d%n", ids.length, total, elapsed, total / elapsed, pct(sorted, 50),
                pct(sorted, 90), pct(sorted, 99), failures.get(), lost);
    }

    static double pct(long[] sorted, int p) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, sorted.length * p / 100)] / 1e6;
    }

    static long version(HttpClient client, String base, String key, long id) throws Exception {
        String body = client.send(HttpRequest.newBuilder(URI.create(base + "/collections/road-elements/items/" + id))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = VERSION.matcher(body);
        if (!m.find()) throw new IllegalStateException("no version in " + body);
        return Long.parseLong(m.group(1));
    }
}
