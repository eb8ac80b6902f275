// requires: java 21
package lab.async;

/**
 * Concurrent sleepers on virtual threads: the program of {@link Sleepers}, with each task started
 * by {@code Thread.startVirtualThread}.
 *
 * <p>A sleeping virtual thread unmounts from its carrier and keeps its stack on the heap, so no OS
 * thread limit applies and the heap view grows with {@code tasks}.
 */
public final class SleepersVirtual {
    public static void main(String[] argv) {
        Sleepers.run(argv, "virtual", Thread::startVirtualThread, false);
    }
}
