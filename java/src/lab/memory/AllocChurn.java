package lab.memory;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import lab.Kit;

/**
 * Allocation churn: the Benchmarks Game binary-trees algorithm, single-threaded.
 *
 * <p>A stretch tree of depth+1 is built, checked and dropped; a tree of depth {@code depth} stays
 * alive throughout; then for d = 4, 6, ..., depth, 2^(depth - d + 4) trees of depth d are built,
 * checked and dropped. Measures how fast the runtime allocates and reclaims millions of small,
 * short-lived objects while a long-lived structure is held. The collector (and its worker
 * threads) is whatever the JVM picks by default.
 */
public final class AllocChurn {
    private static final int MIN_DEPTH = 4;
    private static Map<String, Object> seen = Map.of();

    static final class TreeNode {
        final TreeNode left;
        final TreeNode right;

        TreeNode(TreeNode left, TreeNode right) {
            this.left = left;
            this.right = right;
        }

        int check() {
            return left == null ? 1 : 1 + left.check() + right.check();
        }
    }

    static TreeNode makeTree(int depth) {
        if (depth == 0) return new TreeNode(null, null);
        return new TreeNode(makeTree(depth - 1), makeTree(depth - 1));
    }

    static long binaryTrees(int maxDepth) {
        TreeNode stretch = makeTree(maxDepth + 1);
        seen = Kit.runtimeMemory(); // the stretch tree is as much as is ever held at once
        long total = stretch.check();
        stretch = null;
        TreeNode longLived = makeTree(maxDepth);
        for (int depth = MIN_DEPTH; depth <= maxDepth; depth += 2) {
            long trees = 1L << (maxDepth - depth + MIN_DEPTH);
            for (long i = 0; i < trees; i++) total += makeTree(depth).check();
        }
        return total + longLived.check();
    }

    /** Every node of every tree that binaryTrees builds. */
    static long nodesBuilt(int maxDepth) {
        long nodes = ((1L << (maxDepth + 2)) - 1) + ((1L << (maxDepth + 1)) - 1);
        for (int depth = MIN_DEPTH; depth <= maxDepth; depth += 2) {
            nodes += (1L << (maxDepth - depth + MIN_DEPTH)) * ((1L << (depth + 1)) - 1);
        }
        return nodes;
    }

    /** Collections and collection time of each collector (young, old, ...) by name. */
    static Map<String, long[]> collectorTotals() {
        Map<String, long[]> totals = new LinkedHashMap<>();
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            totals.put(bean.getName(), new long[] {bean.getCollectionCount(), bean.getCollectionTime()});
        }
        return totals;
    }

    static void putCollectorsSince(Map<String, long[]> before, Map<String, Object> metrics) {
        collectorTotals().forEach((name, now) -> {
            String key = "gc_" + name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
            long[] then = before.getOrDefault(name, new long[2]);
            metrics.put(key + "_count", now[0] - then[0]);
            // "time", not "pause": some collectors' beans count concurrent work
            metrics.put(key + "_time_s", (now[1] - then[1]) / 1000.0);
        });
    }

    public static void main(String[] argv) {
        Kit.Args args = Kit.parse(argv);
        int depth = args.getInt("depth", 12);
        int iterations = args.getInt("iterations", 1);
        args.checkAllUsed();
        if (depth < MIN_DEPTH) {
            Kit.fail("depth must be at least " + MIN_DEPTH);
        }
        Map<String, Object> gcBefore = Kit.gcTotals();
        Map<String, long[]> collectorsBefore = collectorTotals();
        Kit.Timed<Long> timed = Kit.measure(() -> binaryTrees(depth), iterations);
        Map<String, Object> metrics = Kit.gcSince(gcBefore);
        metrics.putAll(seen);
        putCollectorsSince(collectorsBefore, metrics);
        Kit.emit(timed.result(), timed.seconds(), nodesBuilt(depth), metrics);
    }
}
