// requires: java 21
package lab.threading;

/**
 * Thread spawn with virtual threads: {@link ThreadSpawn}'s program, each thread started with
 * {@code Thread.ofVirtual()}.
 *
 * <p>Virtual threads are scheduled by the JVM onto a few carrier (OS) threads; a waiting virtual
 * thread is unmounted and its stack kept on the heap, so the per-thread cost is heap, not a native
 * stack. The count is still checked against the OS thread limits, so every variant accepts the
 * same counts.
 */
public final class ThreadSpawnVirtual {
    public static void main(String[] argv) {
        ThreadSpawn.run(argv, "virtual", Thread.ofVirtual().factory());
    }
}
