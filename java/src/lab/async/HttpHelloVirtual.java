// requires: java 21
package lab.async;

import java.util.concurrent.Executors;

/**
 * HTTP hello server, {@code virtual}: the JDK's {@link com.sun.net.httpserver.HttpServer} with a
 * virtual thread per request; see {@link HttpHello} for what is measured. Only the executor
 * differs from {@code pool}.
 */
public final class HttpHelloVirtual {
    public static void main(String[] argv) throws InterruptedException {
        HttpHello.run(argv, "virtual", Executors.newVirtualThreadPerTaskExecutor());
    }
}
