package lab.async;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import lab.Kit;

/**
 * HTTP client fan-out: fetch {@code pages} pages from a slow local server, at most {@code
 * concurrency} at a time.
 *
 * <p>The server (harness/fixtures/slow_server.py) holds every request {@code delay_ms} before it
 * answers, so no client can beat pages * delay_ms / concurrency (metric {@code ideal_s}); {@code
 * efficiency} = ideal_s / work_s says how close it gets. What it loses is its own cost per request
 * (building the request, parsing the response, completing the future) and per connection. One
 * client serves every iteration, as one program would keep it: the first run also opens the
 * connections, later runs reuse them. The heap view is taken as the last page is requested, with
 * the other requests in flight.
 *
 * <p>{@code sendasync} uses java.net.http.HttpClient over HTTP/1.1: sendAsync for every page, a
 * Semaphore holding the requests in flight to {@code concurrency}; the client's pool keeps the
 * connections alive between requests.
 */
public final class FetchPages {
    private static Map<String, Object> seen = Map.of();

    static CompletableFuture<String> fetchPage(HttpClient client, URI base, int number) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/page/" + number)).build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET /page/" + number + ": HTTP " + response.statusCode());
            }
            return response.body();
        });
    }

    static long fetchAll(HttpClient client, URI base, int pages, int concurrency) {
        Semaphore inFlight = new Semaphore(concurrency);
        LongAdder total = new LongAdder();
        CompletableFuture<?>[] fetches = new CompletableFuture<?>[pages];
        for (int number = 0; number < pages; number++) {
            inFlight.acquireUninterruptibly();
            if (number == pages - 1) seen = Kit.runtimeMemory(); // while the other requests are in flight
            fetches[number] = fetchPage(client, base, number)
                    .thenAccept(body -> total.add(Long.parseLong(body)))
                    .whenComplete((done, error) -> inFlight.release());
        }
        CompletableFuture.allOf(fetches).join();
        return total.sum();
    }

    public static void main(String[] argv) {
        Kit.Args args = Kit.parse(argv);
        String url = args.getString("url", "");
        int pages = args.getInt("pages", 200);
        int concurrency = args.getInt("concurrency", 50);
        long delayMs = args.getLong("delay_ms", 50);
        String mode = args.getString("mode", "sendasync");
        int iterations = args.getInt("iterations", 1);
        args.checkAllUsed();
        if (!mode.equals("sendasync")) Kit.fail("mode must be sendasync");
        if (!url.startsWith("http://") || pages < 1 || concurrency < 1) {
            Kit.fail("url must be http://HOST:PORT of the slow server; pages and concurrency at least 1");
        }
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI base = URI.create(url);
        Kit.Timed<Long> timed = Kit.measure(() -> fetchAll(client, base, pages, concurrency), iterations);
        double idealS = pages * delayMs / 1000.0 / concurrency;
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("ideal_s", idealS);
        metrics.put("efficiency", idealS / timed.seconds().get(iterations - 1));
        metrics.putAll(seen);
        Kit.emit(timed.result(), timed.seconds(), pages, metrics);
    }
}
