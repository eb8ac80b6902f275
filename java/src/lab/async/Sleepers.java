package lab.async;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import lab.Kit;

/**
 * Concurrent sleepers: start {@code tasks} threads that each sleep {@code sleep_ms}, then add
 * their index to a total.
 *
 * <p>The tasks do no work, so everything beyond one sleep (metric {@code overhead_s}) is what the
 * runtime charges to start, park, time and wake that many threads; what one sleeping thread holds
 * shows in the peak RSS as {@code tasks} grows, and in the heap view taken while all of them sleep.
 * {@code spawn_s} is the time from before the first task starts until every task has reached its
 * sleep, in every language. The checksum is the sum of the indices the tasks added. The
 * collections over all iterations are reported too: a sleeping virtual thread's stack is a heap
 * object.
 *
 * <p>No OS thread ends before every one has started, so all are alive at once when the heap view
 * is taken and the peak is reached, whatever {@code sleep_ms}: one that wakes before the last has
 * started waits at a gate the main thread holds until then, as in the Python program. Starting
 * 10,000 OS threads takes seconds here, so without it the first would end before the last started.
 * Virtual threads need no gate (10,000 start in a fifth of a second), and must not have this one:
 * before Java 24 a virtual thread blocked on a monitor pins its carrier, and two such would stop
 * the rest from starting.
 *
 * <p>A task holds no more than it needs: its thread, the closure that starts it (index, delay,
 * the shared total, latch and gate) and its slot in the list of threads to join.
 *
 * <p>{@code platform} gives each task an OS thread, which the machine's thread limits bound; {@link
 * SleepersVirtual} runs the same code on virtual threads (Java 21).
 */
public final class Sleepers {
    static void sleepThenAdd(long index, long sleepMs, LongAdder total, CountDownLatch asleep, Object gate) {
        asleep.countDown();
        try {
            Thread.sleep(sleepMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (gate == null) {
            total.add(index);
            return;
        }
        synchronized (gate) { // held by the main thread until every thread has started
            total.add(index);
        }
    }

    static long sleepAll(int tasks, long sleepMs, Function<Runnable, Thread> start, boolean gated, Map<String, Object> seen) {
        LongAdder total = new LongAdder();
        // Thread.start() only schedules a thread; the latch tells when all have reached their sleep.
        CountDownLatch asleep = new CountDownLatch(tasks);
        // The gate no thread ends before: a monitor this thread holds until every thread has started,
        // then passed from one waiting thread to the next, as the Python program's lock. (Releasing
        // them all at once from the latch instead raised the peak RSS by a third as they woke.)
        Object gate = gated ? new Object() : null;
        List<Thread> threads = new ArrayList<>(tasks);
        Runnable startAll = () -> {
            long started = System.nanoTime();
            for (int i = 0; i < tasks; i++) {
                long index = i;
                threads.add(start.apply(() -> sleepThenAdd(index, sleepMs, total, asleep, gate)));
            }
            Kit.await(asleep);
            seen.put("spawn_s", (System.nanoTime() - started) / 1e9);
            seen.putAll(Kit.runtimeMemory()); // while every task is alive (asleep, or waiting at the gate)
        };
        if (gate == null) {
            startAll.run();
        } else {
            synchronized (gate) {
                startAll.run();
            }
        }
        threads.forEach(Kit::join);
        return total.sum();
    }

    static Thread startPlatform(Runnable task) {
        Thread thread = new Thread(task);
        thread.start();
        return thread;
    }

    /** The whole program for one kind of thread; {@code osThreads} when each task takes an OS thread. */
    static void run(String[] argv, String mode, Function<Runnable, Thread> start, boolean osThreads) {
        Kit.Args args = Kit.parse(argv);
        int tasks = args.getInt("tasks", 1000);
        long sleepMs = args.getLong("sleep_ms", 1000);
        String given = args.getString("mode", mode);
        int iterations = args.getInt("iterations", 1);
        args.checkAllUsed();
        if (!given.equals(mode)) Kit.fail("mode must be " + mode);
        if (tasks < 1 || sleepMs < 0) Kit.fail("tasks must be at least 1 and sleep_ms at least 0");
        OptionalLong budget = osThreads ? Kit.threadBudget() : OptionalLong.empty();
        if (budget.isPresent() && tasks > budget.getAsLong()) {
            Kit.fail("tasks=" + tasks + " exceeds the " + budget.getAsLong() + " more threads this machine allows");
        }
        Map<String, Object> seen = new LinkedHashMap<>();
        seen.put("tasks", tasks);
        Map<String, Object> gcBefore = Kit.gcTotals();
        Kit.Timed<Long> timed = Kit.measure(() -> sleepAll(tasks, sleepMs, start, osThreads, seen), iterations);
        List<Double> seconds = timed.seconds();
        seen.put("overhead_s", seconds.get(seconds.size() - 1) - sleepMs / 1000.0);
        seen.putAll(Kit.gcSince(gcBefore));
        Kit.emit(timed.result(), seconds, tasks, seen);
    }

    public static void main(String[] argv) {
        run(argv, "platform", Sleepers::startPlatform, true);
    }
}
