package lab.threading;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.stream.IntStream;
import lab.Kit;

/**
 * Blocking IO in threads: {@code threads} workers each make {@code waits} blocking waits of
 * {@code wait_ms}.
 *
 * <p>Each wait is a {@code Thread.sleep}, which parks the platform thread as a blocking read or
 * write does, so threads overlap their waits: the ideal is {@code waits * wait_ms} however many
 * threads there are. {@code sequential} makes all the {@code threads * waits} waits one after
 * another, on the main thread.
 *
 * <p>Worker w adds w + 1 per completed wait; the checksum is the sum over the workers.
 *
 * <p>The threads are a fixed pool started before the timed region and shut down after it, as
 * Node's workers must be (their start-up would swamp the waits); the measure is the waits,
 * handing them out and collecting the counts. The pool's start-up is reported as {@code
 * pool_start_s}.
 */
public final class BlockingIo {
    /** One worker's share: {@code waits} blocking waits, counting w + 1 for each. */
    static long waitRepeatedly(int w, int waits, long waitMs) {
        long count = 0;
        for (int i = 0; i < waits; i++) {
            sleep(waitMs);
            count += w + 1;
        }
        return count;
    }

    static long sequentialWaits(int workers, int waits, long waitMs) {
        long total = 0;
        for (int w = 0; w < workers; w++) total += waitRepeatedly(w, waits, waitMs);
        return total;
    }

    static long threadedWaits(ExecutorService pool, int workers, int waits, long waitMs) {
        List<CompletableFuture<Long>> shares = IntStream.range(0, workers)
                .mapToObj(w -> CompletableFuture.supplyAsync(() -> waitRepeatedly(w, waits, waitMs), pool))
                .toList();
        return shares.stream().mapToLong(CompletableFuture::join).sum();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting", e);
        }
    }

    public static void main(String[] argv) {
        Kit.Args args = Kit.parse(argv);
        int workers = args.getInt("threads", 4);
        int waits = args.getInt("waits", 10);
        int waitMs = args.getInt("wait_ms", 20);
        String mode = args.getString("mode", "sequential");
        int iterations = args.getInt("iterations", 1);
        args.checkAllUsed();
        if (!mode.equals("sequential") && !mode.equals("threads")) Kit.fail("mode must be sequential or threads");
        if (workers < 1 || waits < 0 || waitMs < 0) Kit.fail("threads must be at least 1, waits and wait_ms at least 0");
        Kit.Timed<Long> timed;
        double poolStart = 0.0;
        if (mode.equals("sequential")) {
            timed = Kit.measure(() -> sequentialWaits(workers, waits, waitMs), iterations);
        } else {
            long started = System.nanoTime();
            ExecutorService pool = Kit.startedPool(workers);
            poolStart = (System.nanoTime() - started) / 1e9;
            try {
                timed = Kit.measure(() -> threadedWaits(pool, workers, waits, waitMs), iterations);
            } finally {
                pool.shutdown();
            }
        }
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("ideal_s", waits * waitMs / 1000.0);
        metrics.put("threads", workers);
        metrics.put("pool_start_s", poolStart);
        Kit.emit(timed.result(), timed.seconds(), (long) workers * waits, metrics);
    }
}
