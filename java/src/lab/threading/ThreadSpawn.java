package lab.threading;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
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
                Kit.await(release);
                total.addAndGet(index);
            });
            thread.start();
            threads.add(thread);
        }
        Kit.await(ready);
        seen.put("start_s", (System.nanoTime() - started) / 1e9);
        seen.putAll(Kit.runtimeMemory()); // while all count threads are alive
        release.countDown();
        threads.forEach(Kit::join);
        return total.get();
    }

    /** The main of both thread kinds: {@code mode} is the only one {@code factory} makes. */
    static void run(String[] argv, String mode, ThreadFactory factory) {
        Kit.Args args = Kit.parse(argv);
        int count = args.getInt("count", 1000);
        String given = args.getString("mode", mode);
        int iterations = args.getInt("iterations", 1);
        args.checkAllUsed();
        if (!given.equals(mode)) Kit.fail("mode must be " + mode);
        if (count < 1) Kit.fail("count must be at least 1");
        OptionalLong budget = Kit.threadBudget();
        if (budget.isPresent() && count > budget.getAsLong()) {
            Kit.fail("count=" + count + " exceeds the " + budget.getAsLong() + " more threads this machine allows");
        }
        Map<String, Object> seen = new LinkedHashMap<>();
        seen.put("count", count);
        Kit.Timed<Long> timed = Kit.measure(() -> spawnAndJoin(count, factory, seen), iterations);
        Kit.emit(timed.result(), timed.seconds(), count, seen);
    }

    public static void main(String[] argv) {
        run(argv, "platform", Thread::new);
    }
}
