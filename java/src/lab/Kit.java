package lab;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.function.Supplier;
import java.util.stream.Stream;

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

    /** Exits with status 2 and {@code error: <message>} on stderr: arguments the program cannot use. */
    public static void fail(String message) {
        System.err.println("error: " + message);
        System.exit(2);
    }

    /**
     * Exits with status 3 and {@code not available: <why>} on stderr: this variant cannot run here,
     * which the harness records as a skip, not a failure.
     */
    public static void notAvailable(String why) {
        System.err.println("not available: " + why);
        System.exit(3);
    }

    /** The seconds of each run of a measured region, and the last run's result. */
    public record Timed<T>(List<Double> seconds, T result) {}

    /**
     * Runs {@code region} {@code iterations} times and times each run.
     *
     * <p>Each run starts with nothing of the run before it alive: the previous result is dropped
     * outside the timed region, so a region that builds a large structure does not find the
     * last one's still on the heap (and a collection does not have to copy it). The management
     * classes that {@link #runtimeMemory()} and {@link #gcTotals()} load are loaded before the
     * first run, so a region that reads the heap view does not pay for that.
     */
    public static <T> Timed<T> measure(Supplier<T> region, int iterations) {
        Management.load();
        List<Double> seconds = new ArrayList<>();
        T result = null;
        for (int i = 0; i < iterations; i++) {
            result = null; // the last run's result: unreachable before this run starts
            long start = System.nanoTime();
            result = region.get();
            seconds.add((System.nanoTime() - start) / 1e9);
        }
        return new Timed<>(seconds, result);
    }

    /**
     * The JMX beans' first use loads and links dozens of classes (20 to 40 ms): this class's
     * initialiser does it once, before any timed region, for every program that uses measure.
     */
    private static final class Management {
        static {
            runtimeMemory();
            gcTotals();
        }

        static void load() {
            // the work is in the static initialiser, which the JVM runs once, on first call
        }
    }

    /** Prints the protocol's final JSON line. */
    public static void emit(Object checksum, List<Double> workS, long ops, Map<String, Object> metrics) {
        StringBuilder line = new StringBuilder("{\"checksum\": ").append(json(String.valueOf(checksum)));
        line.append(", \"work_s\": ").append(json(workS));
        line.append(", \"ops\": ").append(ops);
        line.append(", \"metrics\": ").append(json(withVmOptions(metrics))).append('}');
        System.out.println(line);
        System.out.flush();
    }

    /**
     * The metrics plus, for every boolean {@code -XX:+Name} / {@code -XX:-Name} flag the JVM was
     * started with, {@code vm_option_Name}: 1 or 0 as the JVM applied it, -1 where the JVM has no
     * such option (it warned and ignored it). The harness fails a row whose flag did not take, so a
     * collector variant never runs the default collector under another collector's name.
     */
    static Map<String, Object> withVmOptions(Map<String, Object> metrics) {
        Map<String, Object> all = new LinkedHashMap<>(metrics);
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!argument.startsWith("-XX:+") && !argument.startsWith("-XX:-")) continue;
            String name = argument.substring(5);
            long applied;
            try {
                applied = Boolean.parseBoolean(vm.getVMOption(name).getValue()) ? 1 : 0;
            } catch (IllegalArgumentException noSuchOption) {
                applied = -1;
            }
            all.put("vm_option_" + name, applied);
        }
        return all;
    }

    /** The JVM's own view of its heap: used and committed bytes. */
    public static Map<String, Object> runtimeMemory() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("heap_used_bytes", heap.getUsed());
        view.put("heap_committed_bytes", heap.getCommitted());
        return view;
    }

    /**
     * Collections and pause time summed over every collector since the JVM started. ZGC and
     * Shenandoah report their concurrent cycles on a "... Cycles" bean beside a "... Pauses" one:
     * a cycle is the collection, and its time runs beside the program, so the collections are
     * counted from the cycles and the pause time from the pauses.
     */
    public static Map<String, Object> gcTotals() {
        List<GarbageCollectorMXBean> beans = ManagementFactory.getGarbageCollectorMXBeans();
        boolean pausesApart = beans.stream().anyMatch(bean -> bean.getName().endsWith(" Pauses"));
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean bean : beans) {
            boolean cycles = pausesApart && bean.getName().endsWith(" Cycles");
            boolean pauses = pausesApart && bean.getName().endsWith(" Pauses");
            if (!pauses) {
                count += Math.max(0, bean.getCollectionCount());
            }
            if (!cycles) {
                millis += Math.max(0, bean.getCollectionTime());
            }
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

    /**
     * Heap in use after asking the collector to run, for footprint measurements.
     *
     * <p>Four collections, not fewer: the Serial collector's full collection leaves up to 5 % of
     * the old generation as dead objects it does not bother to compact (MarkSweepDeadRatio), and
     * compacts everything only every fourth time (MarkSweepAlwaysCompactCount = 4, JDK 17 to 25).
     * With three, the earlier builds' garbage was still "in use" before object_footprint's
     * settled build and gone after it, and Serial read 21.9 bytes a record where the layout has 29.
     */
    public static long settledHeapUsed() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    // Server programs ---------------------------------------------------------------------------

    /** Prints the line that tells the harness the server is listening, and on which port. */
    public static void ready(int port) {
        System.out.println("{\"ready\": true, \"port\": " + port + "}");
        System.out.flush();
    }

    /** Exits 1 with a one-line error naming the address that could not be listened on. */
    public static void listenFailed(String host, int port, Exception e) {
        System.err.println("error: cannot listen on " + host + ":" + port + ": " + Objects.toString(e.getMessage(), e.toString()));
        System.exit(1);
    }

    /**
     * On SIGTERM the JVM runs its shutdown hooks: this one stops the server, waits for the calling
     * (main) thread to print the final line, and exits 0 (a JVM that SIGTERM ends would exit 143).
     */
    public static void onTerm(Runnable stop) {
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.run();
            try {
                main.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(0);
        }));
    }

    /** A server's final metrics: the heap view and the connections it accepted. */
    public static Map<String, Object> serverMetrics(long connections) {
        Map<String, Object> metrics = runtimeMemory();
        metrics.put("connections_total", connections);
        return metrics;
    }

    // Threads -------------------------------------------------------------------------------------

    /** Waits for {@code latch}; an interrupt (which the lab's programs never send) is an error. */
    public static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits for {@code thread} to end; an interrupt (which the lab's programs never send) is an error. */
    public static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * How many more threads the kernel and RLIMIT_NPROC let this process start, if known: the
     * tightest of threads-max, pid_max and the soft RLIMIT_NPROC, less the threads already alive
     * on the machine.
     */
    public static OptionalLong threadBudget() {
        OptionalLong tightest = Stream.of(
                        readLong("/proc/sys/kernel/threads-max"), readLong("/proc/sys/kernel/pid_max"), maxProcesses())
                .flatMapToLong(OptionalLong::stream)
                .min();
        return tightest.isPresent() ? OptionalLong.of(tightest.getAsLong() - tasksRunning()) : tightest;
    }

    /** The soft RLIMIT_NPROC, from the 'Max processes' line of /proc/self/limits. */
    private static OptionalLong maxProcesses() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max processes")) {
                    String soft = line.substring("Max processes".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(soft));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no /proc: the limit is unknown
        }
        return OptionalLong.empty();
    }

    /** Threads alive on the whole machine (the 'running/total' field of /proc/loadavg). */
    private static long tasksRunning() {
        try {
            String field = firstLine("/proc/loadavg").split("\\s+")[3];
            return Long.parseLong(field.substring(field.indexOf('/') + 1));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The first number in a /proc file, if it can be read. */
    private static OptionalLong readLong(String path) {
        try {
            return OptionalLong.of(Long.parseLong(firstLine(path).split("\\s+")[0]));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    // Not Files.readString: a /proc file reports size 0, so that reads one byte first, and a
    // sysctl file then reads as ended; a buffered reader asks for a whole buffer at once.
    private static String firstLine(String path) throws IOException {
        List<String> lines = Files.readAllLines(Path.of(path));
        return lines.isEmpty() ? "" : lines.get(0).trim();
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

    /** A fixed pool of {@code workers} threads, all started now rather than at their first task. */
    public static ExecutorService startedPool(int workers) {
        ThreadPoolExecutor pool = (ThreadPoolExecutor) Executors.newFixedThreadPool(workers);
        pool.prestartAllCoreThreads();
        return pool;
    }
}
