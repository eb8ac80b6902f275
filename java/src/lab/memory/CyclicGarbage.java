package lab.memory;

import java.util.Map;
import lab.Kit;

/**
 * Cyclic garbage: make m pairs of objects that point at each other, and drop each pair.
 *
 * <p>A tracing collector never visits dead objects, so a cycle costs no more to reclaim than
 * any other garbage. Only mode=default exists (Python also has gc_on and gc_off). The heap view
 * is taken at the end of the measured region.
 */
public final class CyclicGarbage {
    private static Map<String, Object> seen = Map.of();
    private static Cell latest;

    static final class Cell {
        final long payload;
        Cell partner;

        Cell(long payload) {
            this.payload = payload;
        }
    }

    static long churn(int m) {
        long total = 0;
        for (int i = 0; i < m; i++) {
            Cell a = new Cell(i);
            Cell b = new Cell(2L * i);
            a.partner = b;
            b.partner = a;
            latest = a; // escapes, so escape analysis cannot scalar-replace the pair away
            total += a.partner.payload + b.partner.payload;
        }
        seen = Kit.runtimeMemory();
        return total;
    }

    public static void main(String[] argv) {
        Kit.Args args = Kit.parse(argv);
        int m = args.getInt("m", 200_000);
        String mode = args.getString("mode", "default");
        int iterations = args.getInt("iterations", 1);
        args.checkAllUsed();
        if (!mode.equals("default")) {
            Kit.fail("mode must be default");
        }
        Map<String, Object> gcBefore = Kit.gcTotals();
        Kit.Timed<Long> timed = Kit.measure(() -> churn(m), iterations);
        Map<String, Object> metrics = Kit.gcSince(gcBefore);
        metrics.putAll(seen);
        Kit.emit(timed.result(), timed.seconds(), m, metrics);
    }
}
