package lab.async;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.stream.LongStream;
import lab.Kit;

/**
 * Concurrent sleepers: start {@code tasks} threads that each sleep {@code sleep_ms}, then add
 * their index to a total.
 *
 * <p>The tasks do no work, so everything beyond one sleep (metric {@code overhead_s}) is what the
 * runtime charges to start, park, time and wake that many threads; what one sleeping thread holds
 * shows in the peak RSS as {@code tasks} grows, and in the heap view taken while all of them sleep.
 * {@code spawn_s} is the time until every thread has been started and reached its sleep; with
 * {@code sleep_ms} shorter than that, the first threads finish before the last start. The
 * collections over all iterations are reported too: a sleeping virtual thread's stack is a heap
 * object.
 *
 * <p>{@code platform} gives each task an OS thread, which the machine's thread limits bound; {@link
 * SleepersVirtual} runs the same code on virtual threads (Java 21).
 */
public final class Sleepers {
    static void sleepThenAdd(long index, long sleepMs, LongAdder total, CountDownLatch asleep) {
        asleep.countDown();
        try {
            Thread.sleep(sleepMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        total.add(index);
    }

    static long sleepAll(int tasks, long sleepMs, Function<Runnable, Thread> start, Map<String, Object> seen) {
        LongAdder total = new LongAdder();
        // Thread.start() only schedules a thread; the latch tells when all have reached their sleep.
        CountDownLatch asleep = new CountDownLatch(tasks);
        long started = System.nanoTime();
        List<Thread> threads = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            long index = i;
            threads.add(start.apply(() -> sleepThenAdd(index, sleepMs, total, asleep)));
        }
        await(asleep);
        seen.put("spawn_s", (System.nanoTime() - started) / 1e9);
        seen.putAll(Kit.runtimeMemory()); // while all tasks sleep
        threads.forEach(Sleepers::join);
        return total.sum();
    }

    static Thread startPlatform(Runnable task) {
        Thread thread = new Thread(task);
        thread.start();
        return thread;
    }

    /** How many more threads the kernel and RLIMIT_NPROC let this process start, if known. */
    static OptionalLong threadBudget() {
        OptionalLong limit = LongStream.of(
                        readLong("/proc/sys/kernel/threads-max"), readLong("/proc/sys/kernel/pid_max"), nprocSoftLimit())
                .filter(value -> value > 0)
                .min();
        return limit.isPresent() ? OptionalLong.of(limit.getAsLong() - tasksRunning()) : limit;
    }

    /** Threads alive on the whole machine (the 'running/total' field of /proc/loadavg). */
    private static long tasksRunning() {
        try {
            String field = Files.readAllLines(Path.of("/proc/loadavg")).get(0).split("\\s+")[3];
            return Long.parseLong(field.substring(field.indexOf('/') + 1));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The soft 'Max processes' limit (ulimit -u), or -1 when unlimited or unknown. */
    private static long nprocSoftLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max processes")) {
                    String soft = line.substring("Max processes".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: unknown
        }
        return -1;
    }

    /** The first number in a /proc file (read by lines: Files.readString truncates some of them). */
    private static long readLong(String path) {
        try {
            return Long.parseLong(Files.readAllLines(Path.of(path)).get(0).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
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

    private static void fail(String message) {
        System.err.println("error: " + message);
        System.exit(2);
    }

    /** The whole program for one kind of thread; {@code osThreads} when each task takes an OS thread. */
    static void run(String[] argv, String mode, Function<Runnable, Thread> start, boolean osThreads) {
        Kit.Args args = Kit.parse(argv);
        int tasks = args.getInt("tasks", 1000);
        long sleepMs = args.getLong("sleep_ms", 1000);
        String given = args.getString("mode", mode);
        int iterations = args.getInt("iterations", 1);
        args.checkAllUsed();
        if (!given.equals(mode)) fail("mode must be " + mode);
        if (tasks < 1 || sleepMs < 0) fail("tasks must be at least 1 and sleep_ms at least 0");
        OptionalLong budget = osThreads ? threadBudget() : OptionalLong.empty();
        if (budget.isPresent() && tasks > budget.getAsLong()) {
            fail("tasks=" + tasks + " exceeds the " + budget.getAsLong() + " more threads this machine allows");
        }
        Map<String, Object> seen = new LinkedHashMap<>();
        seen.put("tasks", tasks);
        Map<String, Object> gcBefore = Kit.gcTotals();
        Kit.Timed<Long> timed = Kit.measure(() -> sleepAll(tasks, sleepMs, start, seen), iterations);
        List<Double> seconds = timed.seconds();
        seen.put("overhead_s", seconds.get(seconds.size() - 1) - sleepMs / 1000.0);
        seen.putAll(Kit.gcSince(gcBefore));
        Kit.emit(timed.result(), seconds, tasks, seen);
    }

    public static void main(String[] argv) {
        run(argv, "platform", Sleepers::startPlatform, true);
    }
}
