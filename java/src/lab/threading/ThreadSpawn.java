package lab.threading;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import lab.Kit;

/**
 * Thread spawn: start {@code count} platform (OS) threads, hold them all alive, then release and
 * join them.
 *
 * <p>Each thread counts down a ready latch, waits on one shared release latch, adds its index to
 * a shared total and exits. Measured: starting them all (metric {@code start_s}), then releasing
 * and joining them; the heap view is taken while all of them are alive. The per-thread memory
 * cost shows in the process's peak RSS as {@code count} grows. {@link ThreadSpawnVirtual} runs
 * the same program with virtual threads.
 */
public final class ThreadSpawn {
    static long spawnAndJoin(int count, ThreadFactory factory, Map<String, Object> seen) {
        CountDownLatch ready = new CountDownLatch(count);
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong total = new AtomicLong();
        List<Thread> threads = new ArrayList<>(count);
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long index = i;
            Thread thread = factory.newThread(() -> {
                ready.countDown();
                await(release);
                total.addAndGet(index);
            });
            thread.start();
            threads.add(thread);
        }
        await(ready);
        seen.put("start_s", (System.nanoTime() - started) / 1e9);
        seen.putAll(Kit.runtimeMemory()); // while all count threads are alive
        release.countDown();
        threads.forEach(ThreadSpawn::join);
        return total.get();
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** How many more threads the kernel and RLIMIT_NPROC let this process start, if known. */
    static OptionalLong threadBudget() {
        OptionalLong tightest = Stream.of(
                        readLong("/proc/sys/kernel/threads-max"), readLong("/proc/sys/kernel/pid_max"), maxProcesses())
                .flatMapToLong(OptionalLong::stream)
                .min();
        return tightest.isPresent() ? OptionalLong.of(tightest.getAsLong() - tasksRunning()) : tightest;
    }

    /** The soft RLIMIT_NPROC, from the 'Max processes' line of /proc/self/limits. */
    private static OptionalLong maxProcesses() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max processes")) {
                    String soft = line.substring("Max processes".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(soft));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no /proc: the limit is unknown
        }
        return OptionalLong.empty();
    }

    /** Threads alive on the whole machine (the 'running/total' field of /proc/loadavg). */
    private static long tasksRunning() {
        try {
            String field = firstLine("/proc/loadavg").split("\\s+")[3];
            return Long.parseLong(field.substring(field.indexOf('/') + 1));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static OptionalLong readLong(String path) {
        try {
            return OptionalLong.of(Long.parseLong(firstLine(path).split("\\s+")[0]));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    // Not Files.readString: a /proc file reports size 0, so that reads one byte first, and a
    // sysctl file then reads as ended; a buffered reader asks for a whole buffer at once.
    private static String firstLine(String path) throws IOException {
        List<String> lines = Files.readAllLines(Path.of(path));
        return lines.isEmpty() ? "" : lines.get(0).trim();
    }

    /** The main of both thread kinds: {@code mode} is the only one {@code factory} makes. */
    static void run(String[] argv, String mode, ThreadFactory factory) {
        Kit.Args args = Kit.parse(argv);
        int count = args.getInt("count", 1000);
        String given = args.getString("mode", mode);
        int iterations = args.getInt("iterations", 1);
        args.checkAllUsed();
        if (!given.equals(mode)) fail("mode must be " + mode);
        if (count < 1) fail("count must be at least 1");
        OptionalLong budget = threadBudget();
        if (budget.isPresent() && count > budget.getAsLong()) {
            fail("count=" + count + " exceeds the " + budget.getAsLong() + " more threads this machine allows");
        }
        Map<String, Object> seen = new LinkedHashMap<>();
        seen.put("count", count);
        Kit.runtimeMemory(); // the first call loads the management classes: keep that out of the timing
        Kit.Timed<Long> timed = Kit.measure(() -> spawnAndJoin(count, factory, seen), iterations);
        Kit.emit(timed.result(), timed.seconds(), count, seen);
    }

    private static void fail(String message) {
        System.err.println("error: " + message);
        System.exit(2);
    }

    public static void main(String[] argv) {
        run(argv, "platform", Thread::new);
    }
}
