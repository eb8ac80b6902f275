// requires: java 21
package lab.async;

import java.util.concurrent.Executors;

/**
 * HTTP hello server, {@code virtual}: the JDK's {@link com.sun.net.httpserver.HttpServer} with a
 * virtual thread per request; see {@link HttpHello} for what is measured. Only the executor
 * differs from {@code pool}.
 *
 * <p>The virtual threads run on the JVM's scheduler, a fork-join pool of one carrier thread per
 * available processor; {@code -Djdk.virtualThreadScheduler.parallelism=1} on the java command
 * line makes it one carrier, for a comparison with single-threaded event loops.
 */
public final class HttpHelloVirtual {
    public static void main(String[] argv) throws InterruptedException {
        HttpHello.run(argv, "virtual", args -> Executors.newVirtualThreadPerTaskExecutor());
    }
}
