package lab;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The Runtime Lab program protocol, for Java workloads.
 *
 * <p>Every workload reads {@code key=value} arguments, times its measured region (optionally
 * several times in one process: the first time is the cold run), and prints one JSON line as the
 * last line on stdout. Mirrors {@code python/labkit.py} and {@code node/labkit.js}.
 */
public final class Kit {
    private Kit() {}

    /** Parsed {@code key=value} arguments; unknown keys and bad numbers exit with status 2. */
    public static final class Args {
        private final Map<String, String> values = new HashMap<>();
        private final List<String> known = new ArrayList<>();

        Args(String[] argv) {
            for (String arg : argv) {
                int eq = arg.indexOf('=');
                if (eq <= 0) fail("expected key=value, got '" + arg + "'");
                values.put(arg.substring(0, eq), arg.substring(eq + 1));
            }
        }

        /** An integer argument, or its default. */
        public long getLong(String key, long fallback) {
            known.add(key);
            String raw = values.get(key);
            if (raw == null) return fallback;
            try {
                return Long.parseLong(raw);
            } catch (NumberFormatException e) {
                fail(key + "='" + raw + "' is not an integer");
                return fallback;
            }
        }

        /** An integer argument that must fit an int, or its default. */
        public int getInt(String key, int fallback) {
            return Math.toIntExact(getLong(key, fallback));
        }

        /** A string argument, or its default. */
        public String getString(String key, String fallback) {
            known.add(key);
            return values.getOrDefault(key, fallback);
        }

        /** Fails if an argument was given that the program never asked for. */
        public void checkAllUsed() {
            for (String key : values.keySet()) {
                if (!known.contains(key)) fail("unknown argument '" + key + "'; known: " + known);
            }
        }
    }

    /** Parses the command line. */
    public static Args parse(String[] argv) {
        return new Args(argv);
    }

    private static void fail(String message) {
        System.err.println("error: " + message);
        System.exit(2);
    }

    /** The seconds of each run of a measured region, and the last run's result. */
    public record Timed<T>(List<Double> seconds, T result) {}

    /** Runs {@code region} {@code iterations} times and times each run. */
    public static <T> Timed<T> measure(Supplier<T> region, int iterations) {
        List<Double> seconds = new ArrayList<>();
        T result = null;
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            result = region.get();
            seconds.add((System.nanoTime() - start) / 1e9);
        }
        return new Timed<>(seconds, result);
    }

    /** Prints the protocol's final JSON line. */
    public static void emit(Object checksum, List<Double> workS, long ops, Map<String, Object> metrics) {
        StringBuilder line = new StringBuilder("{\"checksum\": ").append(json(String.valueOf(checksum)));
        line.append(", \"work_s\": ").append(json(workS));
        line.append(", \"ops\": ").append(ops);
        line.append(", \"metrics\": ").append(json(metrics)).append('}');
        System.out.println(line);
        System.out.flush();
    }

    /** The JVM's own view of its heap: used and committed bytes. */
    public static Map<String, Object> runtimeMemory() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("heap_used_bytes", heap.getUsed());
        view.put("heap_committed_bytes", heap.getCommitted());
        return view;
    }

    /** Collections and collection time summed over every collector since the JVM started. */
    public static Map<String, Object> gcTotals() {
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, bean.getCollectionCount());
            millis += Math.max(0, bean.getCollectionTime());
        }
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("gc_count", count);
        totals.put("gc_pause_s", millis / 1000.0);
        return totals;
    }

    /** The difference of two {@link #gcTotals()} readings. */
    public static Map<String, Object> gcSince(Map<String, Object> before) {
        Map<String, Object> now = gcTotals();
        now.put("gc_count", (long) now.get("gc_count") - (long) before.get("gc_count"));
        now.put("gc_pause_s", (double) now.get("gc_pause_s") - (double) before.get("gc_pause_s"));
        return now;
    }

    /** Heap in use after asking the collector to run, for footprint measurements. */
    public static long settledHeapUsed() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static String json(Object value) {
        if (value == null) return "null";
        if (value instanceof String s) return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        if (value instanceof Double d) return String.format(Locale.ROOT, "%.9g", d);
        if (value instanceof Number || value instanceof Boolean) return value.toString();
        if (value instanceof List<?> list) {
            StringBuilder out = new StringBuilder("[");
            for (int i = 0; i < list.size(); i++) out.append(i > 0 ? ", " : "").append(json(list.get(i)));
            return out.append(']').toString();
        }
        if (value instanceof Map<?, ?> map) {
            StringBuilder out = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                out.append(first ? "" : ", ").append(json(String.valueOf(entry.getKey())));
                out.append(": ").append(json(entry.getValue()));
                first = false;
            }
            return out.append('}').toString();
        }
        return json(value.toString());
    }
}
