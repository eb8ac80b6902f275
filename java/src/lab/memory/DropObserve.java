package lab.memory;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lab.Kit;

/**
 * Drop and observe: does the heap shrink the moment the last reference to a structure goes?
 *
 * <p>The measured region builds an ArrayList of n small records (an int id and a double value)
 * and sums their ids. Then, outside it: the JVM's used heap is read after full collections, with
 * the records held, right after the last reference is dropped, and after full collections again.
 * freed_at_once_share is the part of what the records held that was gone before any collection
 * ran; freed_after_gc_share the part gone after one; gc_between counts collections that ran
 * between building and the reading at once. Mirrors drop_observe.py and drop_observe.js.
 */
public final class DropObserve {
    record Reading(int id, double value) {}

    static List<Reading> build(int n) {
        List<Reading> records = new ArrayList<>();
        for (int i = 0; i < n; i++) records.add(new Reading(i, i * 0.5));
        return records;
    }

    static long checksum(List<Reading> records) {
        long total = 0;
        for (Reading record : records) total += record.id();
        return total;
    }

    static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Heap readings around building and dropping n records; the checksum goes in "total". */
    static Map<String, Object> observeDrop(int n) {
        heapUsed(); // load the management classes before the readings that count
        long baseline = Kit.settledHeapUsed();
        Map<String, Object> gcBefore = Kit.gcTotals();
        List<Reading> records = build(n);
        long held = heapUsed();
        long total = checksum(records);
        records = null; // the last reference
        long atOnce = heapUsed();
        Map<String, Object> between = Kit.gcSince(gcBefore);
        long afterGc = Kit.settledHeapUsed();
        if (held <= baseline) {
            Kit.fail("the heap counter saw no growth for n=" + n + " records: use a larger n (200000 or more)");
        }
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("total", total);
        metrics.put("heap_unit", "bytes");
        metrics.put("held", held - baseline);
        metrics.put("freed_at_once_share", (held - atOnce) / (double) (held - baseline));
        metrics.put("freed_after_gc_share", (held - afterGc) / (double) (held - baseline));
        metrics.put("gc_between", between.get("gc_count"));
        return metrics;
    }

    public static void main(String[] argv) {
        Kit.Args args = Kit.parse(argv);
        int n = args.getInt("n", 500_000);
        int iterations = args.getInt("iterations", 1);
        args.checkAllUsed();
        if (n < 1) Kit.fail("n must be at least 1");
        List<Double> seconds = Kit.measure(() -> checksum(build(n)), iterations).seconds();
        Map<String, Object> metrics = observeDrop(n);
        Object total = metrics.remove("total");
        Kit.emit(total, seconds, n, metrics);
    }
}
