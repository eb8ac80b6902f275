package lab.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;
import lab.Kit;

/**
 * Eager vs lazy: sum the integers 0..n-1 from a materialised collection or from a stream.
 *
 * <p>{@code arraylist} holds n boxed Integers, {@code array} n primitive ints; {@code stream}
 * produces one value at a time, like a generator.
 */
public final class EagerLazy {
    private static Map<String, Object> seen = Map.of();

    static long arrayListSum(int n) {
        List<Integer> numbers = new ArrayList<>();
        for (int i = 0; i < n; i++) numbers.add(i);
        seen = Kit.runtimeMemory(); // while all n integers are alive
        long total = 0;
        for (int value : numbers) total += value;
        return total;
    }

    static long arraySum(int n) {
        int[] numbers = new int[n];
        for (int i = 0; i < n; i++) numbers[i] = i;
        seen = Kit.runtimeMemory();
        long total = 0;
        for (int value : numbers) total += value;
        return total;
    }

    static long streamSum(int n) {
        long total = LongStream.range(0, n).sum();
        seen = Kit.runtimeMemory();
        return total;
    }

    public static void main(String[] argv) {
        Kit.Args args = Kit.parse(argv);
        int n = args.getInt("n", 1_000_000);
        String mode = args.getString("mode", "arraylist");
        int iterations = args.getInt("iterations", 1);
        args.checkAllUsed();
        LongSupplier summing = switch (mode) {
            case "arraylist" -> () -> arrayListSum(n);
            case "array" -> () -> arraySum(n);
            case "stream" -> () -> streamSum(n);
            default -> {
                Kit.fail("mode must be arraylist, array or stream");
                yield null;
            }
        };
        Kit.Timed<Long> timed = Kit.measure(summing::getAsLong, iterations);
        Kit.emit(timed.result(), timed.seconds(), n, seen);
    }
}
