// requires: java 21
package lab.async;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import lab.Kit;

/**
 * TCP echo server, thread per connection: each connection gets a thread doing blocking reads and
 * writes; see {@link TcpEcho} for what is measured.
 *
 * <p>{@code virtual} starts a virtual thread per connection: a thread blocked on a socket parks
 * and frees its carrier thread, which is what makes many connections affordable. {@code platform}
 * is the same code on an OS thread per connection, the classic server that virtual threads were
 * made to rescue. A blocking write returns only once the kernel has taken the bytes, so a client
 * that does not read stops being read from.
 *
 * <p>Virtual threads run on the JVM's scheduler, a fork-join pool of one carrier thread per
 * available processor; {@code -Djdk.virtualThreadScheduler.parallelism=1} on the java command
 * line makes it one carrier, for a comparison with single-threaded event loops.
 */
public final class TcpEchoThreads {
    private static final LongAdder echoed = new LongAdder();

    static void echo(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            socket.setTcpNoDelay(true); // as asyncio and Node's http do
            byte[] buffer = new byte[TcpEcho.BUFFER_BYTES];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                echoed.add(n);
            }
        } catch (IOException e) {
            // a reset by the peer ends only this connection
        }
    }

    /** Accepts until the server socket is closed; returns the number of connections accepted. */
    static long serve(ServerSocket server, Thread.Builder threads) {
        long connections = 0;
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections++;
                threads.start(() -> echo(socket));
            } catch (IOException e) {
                if (!server.isClosed()) System.err.println("accept failed: " + e.getMessage());
            }
        }
        return connections;
    }

    public static void main(String[] argv) throws IOException {
        Kit.Args args = Kit.parse(argv);
        String host = args.getString("host", "127.0.0.1");
        int port = args.getInt("port", 0);
        String mode = args.getString("mode", "virtual");
        args.checkAllUsed();
        Thread.Builder threads = switch (mode) {
            case "virtual" -> Thread.ofVirtual();
            // daemon: a connection still open at SIGTERM must not keep the JVM alive
            case "platform" -> Thread.ofPlatform().daemon(true);
            default -> {
                Kit.fail("mode must be virtual or platform (nio is lab.async.TcpEcho)");
                yield null; // not reached: fail exits
            }
        };
        ServerSocket server = new ServerSocket();
        try {
            server.bind(new InetSocketAddress(host, port), TcpEcho.BACKLOG);
        } catch (IOException e) {
            Kit.listenFailed(host, port, e);
        }
        Kit.onTerm(() -> closeQuietly(server));
        Kit.ready(server.getLocalPort());
        long connections = serve(server, threads);
        Kit.emit("0", List.of(), echoed.sum(), Kit.serverMetrics(connections));
    }

    private static void closeQuietly(ServerSocket server) {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
    }
}
