package lab.threading;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import lab.Kit;

/**
 * CPU-bound scaling: a fixed amount of pure computation, split over {@code threads} workers.
 *
 * <p>There are {@code chunks} independent chunks of equal cost; chunk c starts from x = c + 1 and
 * runs {@code steps} rounds of xorshift32 on it. The checksum is the sum of the chunks' final x,
 * each read as an unsigned 32-bit integer. Worker w takes chunks w, w + threads, w + 2 * threads,
 * ...
 *
 * <p>{@code sequential} is a plain loop (it ignores {@code threads}). {@code threads} runs the
 * shares on a fixed pool of platform threads, which run Java code in parallel. {@code forkjoin}
 * is the idiomatic Java way: the chunks as a parallel {@code IntStream}, run inside a {@code new
 * ForkJoinPool(threads)}, which splits them into tasks and balances them by work stealing.
 *
 * <p>Either pool is started before the timed region and shut down after it, so the measure is the
 * parallel compute alone (handing out the shares and collecting the sums included); the pool's
 * start-up is reported as {@code pool_start_s}.
 */
public final class CpuScaling {
    static long xorshift32(int x, int steps) {
        for (int i = 0; i < steps; i++) {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
        }
        return Integer.toUnsignedLong(x);
    }

    /** The chunks first, first + stride, ... below chunks: one worker's share. */
    static long shareSum(int first, int stride, int chunks, int steps) {
        long total = 0;
        for (int c = first; c < chunks; c += stride) total += xorshift32(c + 1, steps);
        return total;
    }

    static long sequentialSum(int chunks, int steps) {
        return shareSum(0, 1, chunks, steps);
    }

    static long parallelSum(ExecutorService pool, int workers, int chunks, int steps) {
        List<CompletableFuture<Long>> shares = IntStream.range(0, workers)
                .mapToObj(w -> CompletableFuture.supplyAsync(() -> shareSum(w, workers, chunks, steps), pool))
                .toList();
        return shares.stream().mapToLong(CompletableFuture::join).sum();
    }

    /** Every chunk, as one parallel stream: the pool that runs it splits and balances the work. */
    static long streamSum(int chunks, int steps) {
        return IntStream.range(0, chunks).parallel().mapToLong(c -> xorshift32(c + 1, steps)).sum();
    }

    /** The same chunks as a parallel stream, computed by the workers of {@code pool}. */
    static long forkJoinSum(ForkJoinPool pool, int chunks, int steps) {
        // A parallel stream forks its tasks into the pool of the thread that runs it. The caller
        // waits on a CompletableFuture, not on a ForkJoinTask: joining a task from outside the
        // pool may run it on the calling thread, which would put the stream on the common pool.
        return CompletableFuture.supplyAsync(() -> streamSum(chunks, steps), pool).join();
    }

    /** A fork-join pool of {@code workers} threads, all started now rather than at the first task. */
    static ForkJoinPool startedForkJoinPool(int workers) {
        ForkJoinPool pool = new ForkJoinPool(workers);
        // The pool starts a worker when a task is queued and no worker is idle: tasks that each wait
        // until all of them run make it start every worker, as Kit.startedPool does for threads.
        CountDownLatch running = new CountDownLatch(workers);
        for (int w = 0; w < workers; w++) {
            pool.execute(() -> {
                running.countDown();
                while (running.getCount() > 0) Thread.yield(); // spins, so each task keeps its own worker
            });
        }
        Kit.await(running);
        return pool;
    }

    static Kit.Timed<Long> measureForkJoin(
            int workers, int chunks, int steps, int iterations, Map<String, Object> metrics) {
        long started = System.nanoTime();
        ForkJoinPool pool = startedForkJoinPool(workers);
        metrics.put("pool_start_s", (System.nanoTime() - started) / 1e9);
        try {
            return Kit.measure(() -> forkJoinSum(pool, chunks, steps), iterations);
        } finally {
            pool.shutdown();
        }
    }

    static Kit.Timed<Long> measureThreads(
            int workers, int chunks, int steps, int iterations, Map<String, Object> metrics) {
        long started = System.nanoTime();
        ExecutorService pool = Kit.startedPool(workers);
        metrics.put("pool_start_s", (System.nanoTime() - started) / 1e9);
        try {
            return Kit.measure(() -> parallelSum(pool, workers, chunks, steps), iterations);
        } finally {
            pool.shutdown();
        }
    }

    public static void main(String[] argv) {
        Kit.Args args = Kit.parse(argv);
        int chunks = args.getInt("chunks", 64);
        int steps = args.getInt("steps", 50_000);
        int workers = args.getInt("threads", 1);
        String mode = args.getString("mode", "sequential");
        int iterations = args.getInt("iterations", 1);
        args.checkAllUsed();
        if (workers < 1 || chunks < 0 || steps < 0) Kit.fail("threads must be at least 1, chunks and steps at least 0");
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("pool_start_s", 0.0);
        Kit.Timed<Long> timed = switch (mode) {
            case "sequential" -> Kit.measure(() -> sequentialSum(chunks, steps), iterations);
            case "threads" -> measureThreads(workers, chunks, steps, iterations, metrics);
            case "forkjoin" -> measureForkJoin(workers, chunks, steps, iterations, metrics);
            default -> {
                Kit.fail("mode must be sequential, threads or forkjoin");
                yield null; // not reached: fail exits
            }
        };
        metrics.put("threads", workers);
        Kit.emit(timed.result(), timed.seconds(), (long) chunks * steps, metrics);
    }
}
