package lab.threading;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
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
 * shares on a fixed pool of platform threads, which run Java code in parallel.
 *
 * <p>The pool is started before the timed region and shut down after it, so the measure is the
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

    public static void main(String[] argv) {
        Kit.Args args = Kit.parse(argv);
        int chunks = args.getInt("chunks", 64);
        int steps = args.getInt("steps", 50_000);
        int workers = args.getInt("threads", 1);
        String mode = args.getString("mode", "sequential");
        int iterations = args.getInt("iterations", 1);
        args.checkAllUsed();
        if (!mode.equals("sequential") && !mode.equals("threads")) Kit.fail("mode must be sequential or threads");
        if (workers < 1 || chunks < 0 || steps < 0) Kit.fail("threads must be at least 1, chunks and steps at least 0");
        Kit.Timed<Long> timed;
        double poolStart = 0.0;
        if (mode.equals("sequential")) {
            timed = Kit.measure(() -> sequentialSum(chunks, steps), iterations);
        } else {
            long started = System.nanoTime();
            ExecutorService pool = Kit.startedPool(workers);
            poolStart = (System.nanoTime() - started) / 1e9;
            try {
                timed = Kit.measure(() -> parallelSum(pool, workers, chunks, steps), iterations);
            } finally {
                pool.shutdown();
            }
        }
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("pool_start_s", poolStart);
        metrics.put("threads", workers);
        Kit.emit(timed.result(), timed.seconds(), (long) chunks * steps, metrics);
    }
}
