package lab.async;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import lab.Kit;

/**
 * HTTP hello server: keep-alive HTTP/1.1, every GET answers 200 "Hello, World!".
 *
 * <p>The smallest useful request-response server: the cost per request of parsing a request head,
 * writing a response and going back to wait on the connection, with many connections at once.
 *
 * <p>Both variants are the JDK's own {@link HttpServer}: one dispatcher thread waits on every
 * connection with a selector and hands each request to an executor, whose thread reads the head,
 * runs the handler and writes the response. {@code pool} uses a fixed pool of {@code pool_size}
 * platform threads, by default twice the available processors (the handler never blocks for
 * long, but its writes can); {@code pool_size=1} puts every request on one thread, for a
 * comparison with single-threaded event loops (the dispatcher is a second thread). {@code virtual}
 * ({@link HttpHelloVirtual}, Java 21) starts a virtual thread per request.
 *
 * <p>The bytes on the wire are the same in every language but for the Date value: a GET gets
 * {@code HTTP/1.1 200 OK}, {@code Date}, {@code Content-type: text/plain}, {@code Content-length:
 * 13} and the body {@code Hello, World!}; any other method {@code 405 Method Not Allowed} with
 * {@code Date}, {@code Allow: GET} and {@code Content-length: 0}; a malformed request line 400,
 * and the connection is closed. HttpServer writes these header names as it normalises them
 * (first letter upper case, the rest lower case), Java 17 and 25 alike.
 *
 * <p>A server program: it prints {"ready": true, "port": N} once listening, serves until SIGTERM,
 * then prints the final line with ops = requests served. Unlike the other servers it reports no
 * {@code connections_total}: HttpServer has no hook for an accepted connection, and telling
 * connections apart by their remote address costs a concurrent-map insert on every request.
 */
public final class HttpHello {
    static final int BACKLOG = 511; // the same listen backlog in every language: Node's default

    private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    private static final LongAdder requests = new LongAdder();

    static void hello(HttpExchange exchange) throws IOException {
        try (exchange) { // closing the exchange also drains the request body, for keep-alive
            requests.increment();
            if (!exchange.getRequestMethod().equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, BODY.length);
            exchange.getResponseBody().write(BODY);
        }
    }

    /**
     * Serves with the executor that {@code executorFor} makes (it may read arguments of its own)
     * until SIGTERM, then prints the final line.
     */
    static void run(String[] argv, String modeName, Function<Kit.Args, ExecutorService> executorFor)
            throws InterruptedException {
        Kit.Args args = Kit.parse(argv);
        String host = args.getString("host", "127.0.0.1");
        int port = args.getInt("port", 0);
        String mode = args.getString("mode", modeName);
        ExecutorService executor = executorFor.apply(args);
        args.checkAllUsed();
        if (!mode.equals(modeName)) {
            Kit.fail("mode must be " + modeName + " (pool is lab.async.HttpHello, virtual lab.async.HttpHelloVirtual)");
        }
        // Headers and body leave in separate writes; without TCP_NODELAY (off by default here, on in
        // asyncio and Node's http) the second waits for the client's delayed ACK, 40 ms on Linux.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        // HttpServer closes keep-alive connections beyond 200 idle ones (sun.net.httpserver.
        // maxIdleConnections), which a client sees as a connection closed mid-exchange at 256
        // connections. asyncio, Node and ThreadingHTTPServer keep every connection open.
        System.setProperty("sun.net.httpserver.maxIdleConnections", "100000");
        HttpServer server = null;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), BACKLOG);
        } catch (IOException e) {
            Kit.listenFailed(host, port, e);
        }
        server.createContext("/", HttpHello::hello);
        server.setExecutor(executor);
        server.start();
        CountDownLatch stopping = new CountDownLatch(1);
        Kit.onTerm(stopping::countDown);
        Kit.ready(server.getAddress().getPort());
        stopping.await();
        server.stop(0); // stop accepting and close the connections now, with no grace period
        executor.shutdownNow();
        Kit.emit("0", List.of(), requests.sum(), Kit.runtimeMemory()); // no connections_total: see above
    }

    /** The {@code pool} executor: a fixed pool of {@code pool_size} platform threads. */
    static ExecutorService fixedPool(Kit.Args args) {
        int size = args.getInt("pool_size", 2 * Runtime.getRuntime().availableProcessors());
        if (size < 1) Kit.fail("pool_size must be at least 1");
        return Executors.newFixedThreadPool(size);
    }

    public static void main(String[] argv) throws InterruptedException {
        run(argv, "pool", HttpHello::fixedPool);
    }
}
