package lab.async;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import lab.Kit;

/**
 * HTTP hello server: keep-alive HTTP/1.1, every GET answers 200 "Hello, World!".
 *
 * <p>The smallest useful request-response server: the cost per request of parsing a request head,
 * writing a response and going back to wait on the connection, with many connections at once.
 *
 * <p>Both variants are the JDK's own {@link HttpServer}: one dispatcher thread waits on every
 * connection with a selector and hands each request to an executor, whose thread reads the head,
 * runs the handler and writes the response. {@code pool} uses a fixed pool of platform threads,
 * twice the available processors (the handler never blocks for long, but its writes can); {@code
 * virtual} ({@link HttpHelloVirtual}, Java 21) starts a virtual thread per request.
 *
 * <p>A server program: it prints {"ready": true, "port": N} once listening, serves until SIGTERM,
 * then prints the final line with ops = requests served.
 */
public final class HttpHello {
    static final int BACKLOG = 511; // the same listen backlog in every language: Node's default

    private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    private static final LongAdder requests = new LongAdder();
    // HttpServer has no hook for accepted connections: count the distinct client addresses (so a
    // connection that never sends a request is missed, and a client port reused in one run counts once).
    private static final Set<InetSocketAddress> clients = ConcurrentHashMap.newKeySet();

    static void hello(HttpExchange exchange) throws IOException {
        try (exchange) { // closing the exchange also drains the request body, for keep-alive
            requests.increment();
            clients.add(exchange.getRemoteAddress());
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

    /** Serves with {@code executor} until SIGTERM, then prints the final line. */
    static void run(String[] argv, String modeName, ExecutorService executor) throws InterruptedException {
        Kit.Args args = Kit.parse(argv);
        String host = args.getString("host", "127.0.0.1");
        int port = args.getInt("port", 0);
        String mode = args.getString("mode", modeName);
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
        Kit.emit("0", List.of(), requests.sum(), Kit.serverMetrics(clients.size()));
    }

    public static void main(String[] argv) throws InterruptedException {
        run(argv, "pool", Executors.newFixedThreadPool(2 * Runtime.getRuntime().availableProcessors()));
    }
}
