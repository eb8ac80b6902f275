package lab.async;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.util.List;
import lab.Kit;

/**
 * TCP echo server: every byte a connection sends comes straight back, on many connections at once.
 *
 * <p>Each connection does almost no work, so what is measured is the event loop itself: readiness
 * polling, the socket calls, and what each open connection costs in memory.
 *
 * <p>{@code nio} is one thread running a {@link Selector} over non-blocking channels, with one
 * buffer per connection. A write the client is not ready to take stays in that buffer: the
 * connection then waits for OP_WRITE instead of OP_READ, so a client that does not read stops
 * being read from. {@code virtual} and {@code platform} ({@link TcpEchoThreads}, Java 21) are a thread per
 * connection doing blocking reads and writes.
 *
 * <p>A server program: it prints {"ready": true, "port": N} once listening, serves until SIGTERM,
 * then prints the final line. A stream has no messages, so ops = bytes echoed.
 */
public final class TcpEcho {
    /** Per connection: more means fewer calls per bulk byte, less means less memory per idle connection. */
    static final int BUFFER_BYTES = 16 * 1024;

    static final int BACKLOG = 511; // the same listen backlog in every language: Node's default

    private final ServerSocketChannel server;
    private final Selector selector;
    private volatile boolean running = true;
    private long connections;
    private long echoed;

    TcpEcho(ServerSocketChannel server) throws IOException {
        this.server = server;
        this.selector = Selector.open();
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
    }

    void serve() throws IOException {
        while (running) selector.select(this::handle);
        server.close();
    }

    void stop() {
        running = false;
        selector.wakeup();
    }

    private void handle(SelectionKey key) {
        if (key.isAcceptable()) {
            accept();
            return;
        }
        try {
            if (key.isReadable()) read(key);
            else write(key);
        } catch (IOException e) {
            closeQuietly((SocketChannel) key.channel()); // a reset by the peer ends only this connection
        }
    }

    private void accept() {
        try {
            SocketChannel channel = server.accept();
            if (channel == null) return;
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true); // as asyncio and Node's http do
            channel.register(selector, SelectionKey.OP_READ, ByteBuffer.allocateDirect(BUFFER_BYTES));
            connections++;
        } catch (IOException e) {
            System.err.println("accept failed: " + e.getMessage()); // e.g. out of file descriptors
        }
    }

    private void read(SelectionKey key) throws IOException {
        SocketChannel channel = (SocketChannel) key.channel();
        ByteBuffer buffer = (ByteBuffer) key.attachment();
        if (channel.read(buffer) < 0) {
            channel.close();
            return;
        }
        buffer.flip();
        write(key);
    }

    private void write(SelectionKey key) throws IOException {
        ByteBuffer buffer = (ByteBuffer) key.attachment();
        echoed += ((SocketChannel) key.channel()).write(buffer);
        if (buffer.hasRemaining()) {
            key.interestOps(SelectionKey.OP_WRITE);
        } else {
            buffer.clear();
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already broken; nothing more to release
        }
    }

    public static void main(String[] argv) throws IOException {
        Kit.Args args = Kit.parse(argv);
        String host = args.getString("host", "127.0.0.1");
        int port = args.getInt("port", 0);
        String mode = args.getString("mode", "nio");
        args.checkAllUsed();
        if (!mode.equals("nio")) {
            Kit.fail("mode must be nio (virtual and platform are lab.async.TcpEchoThreads)");
        }
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.bind(new InetSocketAddress(host, port), BACKLOG);
        } catch (IOException | UnresolvedAddressException e) {
            Kit.listenFailed(host, port, e);
        }
        TcpEcho echo = new TcpEcho(server);
        Kit.onTerm(echo::stop);
        Kit.ready(((InetSocketAddress) server.getLocalAddress()).getPort());
        echo.serve();
        Kit.emit("0", List.of(), echo.echoed, Kit.serverMetrics(echo.connections));
    }
}
