import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lab.Kit;

/**
 * A test program for {@link Kit#measure}: does each run start with the last run's result gone?
 *
 * <p>Three runs of a region that first reads the settled heap in use ({@link
 * Kit#settledHeapUsed()}, after full collections), then builds and returns a 40 MB result (a
 * {@code long[5_000_000]}). If measure kept the previous result alive while the next run starts,
 * heap_at_start[1] would be about result_bytes above heap_at_start[0]; a test asserts it is less
 * than a quarter of that. The protocol line has checksum "0" and the metrics {@code heap_at_start}
 * (the three readings) and {@code result_bytes}.
 *
 * <p>Package-less, compiled with Kit from its sources (javac finds them on the class path):
 *
 * <pre>
 * javac -d OUT -cp java/src tests/programs/KitRelease.java
 * java -cp OUT KitRelease
 * </pre>
 */
public final class KitRelease {
    static final int RESULT_LONGS = 5_000_000;
    static final long RESULT_BYTES = RESULT_LONGS * (long) Long.BYTES;
    static final int ITERATIONS = 3;

    /** Runs the region three times and prints the heap read at the start of each run. */
    public static void main(String[] argv) {
        Kit.parse(argv).checkAllUsed();
        List<Long> heapAtStart = new ArrayList<>();
        Kit.Timed<long[]> timed = Kit.measure(() -> {
            heapAtStart.add(Kit.settledHeapUsed()); // before this run allocates anything
            return new long[RESULT_LONGS];
        }, ITERATIONS);
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("heap_at_start", heapAtStart);
        metrics.put("result_bytes", RESULT_BYTES);
        Kit.emit("0", timed.seconds(), (long) ITERATIONS * RESULT_LONGS, metrics);
    }
}
