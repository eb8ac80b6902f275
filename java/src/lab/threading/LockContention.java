package lab.threading;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import lab.Kit;

/**
 * Lock contention: {@code threads} workers increment one shared counter.
 *
 * <p>{@code synchronized} and {@code reentrantlock} take and release a lock once per increment;
 * {@code atomiclong} does one compare-and-swap-style atomic add on one shared word; {@code
 * longadder} spreads the adds over per-thread cells and sums them at the end. The workers are
 * started before the timed region and wait on a barrier; each run releases them together and ends
 * when the last has finished.
 */
public final class LockContention {
    /** One shared counter; each mode makes {@link #increment()} thread-safe its own way. */
    interface Counter {
        void increment();

        long get();

        void reset();
    }

    static final class SynchronizedCounter implements Counter {
        private long value;

        public synchronized void increment() {
            value++;
        }

        public synchronized long get() {
            return value;
        }

        public synchronized void reset() {
            value = 0;
        }
    }

    static final class LockedCounter implements Counter {
        private final ReentrantLock lock = new ReentrantLock();
        private long value;

        public void increment() {
            lock.lock();
            try {
                value++;
            } finally {
                lock.unlock();
            }
        }

        public long get() {
            lock.lock();
            try {
                return value;
            } finally {
                lock.unlock();
            }
        }

        public void reset() {
            lock.lock();
            try {
                value = 0;
            } finally {
                lock.unlock();
            }
        }
    }

    static final class AtomicCounter implements Counter {
        private final AtomicLong value = new AtomicLong();

        public void increment() {
            value.incrementAndGet();
        }

        public long get() {
            return value.get();
        }

        public void reset() {
            value.set(0);
        }
    }

    static final class AdderCounter implements Counter {
        private final LongAdder value = new LongAdder();

        public void increment() {
            value.increment();
        }

        public long get() {
            return value.sum();
        }

        public void reset() {
            value.reset();
        }
    }

    static void work(Counter counter, long increments, int runs, CyclicBarrier barrier) {
        await(barrier); // started
        for (int run = 0; run < runs; run++) {
            await(barrier); // released
            for (long i = 0; i < increments; i++) counter.increment();
            await(barrier); // finished
        }
    }

    static long contendedRun(Counter counter, CyclicBarrier barrier) {
        counter.reset();
        await(barrier); // release the workers
        await(barrier); // until every worker has finished
        return counter.get();
    }

    static List<Thread> startWorkers(int threads, Counter counter, long increments, int runs, CyclicBarrier barrier) {
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread worker = new Thread(() -> work(counter, increments, runs, barrier));
            worker.start();
            workers.add(worker);
        }
        await(barrier); // until every worker is running
        return workers;
    }

    static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (BrokenBarrierException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] argv) {
        Kit.Args args = Kit.parse(argv);
        int threads = args.getInt("threads", 2);
        long increments = args.getLong("increments", 100_000);
        String mode = args.getString("mode", "synchronized");
        int iterations = args.getInt("iterations", 1);
        args.checkAllUsed();
        if (threads < 1 || increments < 0) {
            Kit.fail("threads must be at least 1 and increments at least 0");
        }
        Counter counter = switch (mode) {
            case "synchronized" -> new SynchronizedCounter();
            case "reentrantlock" -> new LockedCounter();
            case "atomiclong" -> new AtomicCounter();
            case "longadder" -> new AdderCounter();
            default -> {
                Kit.fail("mode must be synchronized, reentrantlock, atomiclong or longadder");
                yield null;
            }
        };
        CyclicBarrier barrier = new CyclicBarrier(threads + 1);
        long started = System.nanoTime();
        List<Thread> workers = startWorkers(threads, counter, increments, iterations, barrier);
        double startS = (System.nanoTime() - started) / 1e9;
        Kit.Timed<Long> timed = Kit.measure(() -> contendedRun(counter, barrier), iterations);
        workers.forEach(Kit::join);
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("start_s", startS);
        metrics.put("threads", threads);
        Kit.emit(timed.result(), timed.seconds(), threads * increments, metrics);
    }
}
