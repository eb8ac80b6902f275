package lab.threading;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.stream.IntStream;
import lab.Kit;

/**
 * Blocking IO on real sockets: {@code threads} workers each make {@code waits} blocking HTTP
 * requests.
 *
 * <p>The companion of {@link BlockingIo}, whose waits are sleeps: here each wait is a request to
 * the harness's slow local server, which answers {@code GET /page/<w>} after {@code delay_ms}
 * with the text of w. A worker keeps one keep-alive socket and blocks in its read until the
 * answer comes: the ideal is {@code waits * delay_ms} however many threads there are.
 * {@code sequential} makes all the {@code threads * waits} requests one after another.
 *
 * <p>Worker w adds the page number it read back, plus one, per completed wait. Mirrors
 * blocking_fetch.py.
 */
public final class BlockingFetch {
    /** One worker's share: {@code waits} blocking requests on one socket, counting page + 1 each. */
    static long fetchRepeatedly(URI server, int w, int waits) {
        try (Socket socket = new Socket(server.getHost(), server.getPort())) {
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            byte[] request = ("GET /page/" + w + " HTTP/1.1\r\nHost: " + server.getHost() + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
            long count = 0;
            for (int i = 0; i < waits; i++) {
                out.write(request);
                out.flush();
                count += readPage(in) + 1;
            }
            return count;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one response (status line, headers, Content-Length body) and returns its body as a number. */
    static long readPage(BufferedReader in) throws IOException {
        String status = in.readLine();
        if (status == null || !status.contains(" 200 ")) throw new IOException("the slow server answered " + status);
        int length = -1;
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
        }
        if (length < 0) throw new IOException("no Content-Length in the answer");
        char[] body = new char[length];
        for (int read = 0; read < length; ) {
            int n = in.read(body, read, length - read);
            if (n < 0) throw new IOException("the connection closed inside a body");
            read += n;
        }
        return Long.parseLong(new String(body));
    }

    static long sequentialFetches(URI server, int workers, int waits) {
        long total = 0;
        for (int w = 0; w < workers; w++) total += fetchRepeatedly(server, w, waits);
        return total;
    }

    static long threadedFetches(ExecutorService pool, URI server, int workers, int waits) {
        List<CompletableFuture<Long>> shares = IntStream.range(0, workers)
                .mapToObj(w -> CompletableFuture.supplyAsync(() -> fetchRepeatedly(server, w, waits), pool))
                .toList();
        return shares.stream().mapToLong(CompletableFuture::join).sum();
    }

    public static void main(String[] argv) {
        Kit.Args args = Kit.parse(argv);
        String url = args.getString("url", "");
        int workers = args.getInt("threads", 4);
        int waits = args.getInt("waits", 10);
        int delayMs = args.getInt("delay_ms", 20);
        String mode = args.getString("mode", "sequential");
        int iterations = args.getInt("iterations", 1);
        args.checkAllUsed();
        if (!mode.equals("sequential") && !mode.equals("threads")) Kit.fail("mode must be sequential or threads");
        if (!url.startsWith("http://") || workers < 1 || waits < 0) {
            Kit.fail("url must be http://HOST:PORT of the slow server; threads at least 1, waits at least 0");
        }
        URI server = URI.create(url);
        Kit.Timed<Long> timed;
        double poolStart = 0.0;
        if (mode.equals("sequential")) {
            timed = Kit.measure(() -> sequentialFetches(server, workers, waits), iterations);
        } else {
            long started = System.nanoTime();
            ExecutorService pool = Kit.startedPool(workers);
            poolStart = (System.nanoTime() - started) / 1e9;
            try {
                timed = Kit.measure(() -> threadedFetches(pool, server, workers, waits), iterations);
            } finally {
                pool.shutdown();
            }
        }
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("ideal_s", waits * delayMs / 1000.0);
        metrics.put("threads", workers);
        metrics.put("pool_start_s", poolStart);
        Kit.emit(timed.result(), timed.seconds(), (long) workers * waits, metrics);
    }
}
