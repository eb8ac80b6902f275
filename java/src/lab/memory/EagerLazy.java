package lab.memory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;
import lab.Kit;

/**
 * Eager vs lazy: sum the integers 0..n-1 from a materialised collection or from a stream.
 *
 * <p>{@code arraylist} holds n boxed Integers, {@code array} n primitive ints; {@code stream}
 * produces one value at a time, like a generator. {@code iterator} is the closest to a Python
 * generator: an {@code Iterator<Integer>} hands out one boxed Integer at a time (as a generator
 * yields int objects), consumed by a loop that sums them into a long.
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

    /** The integers 0..n-1, one boxed Integer at a time. */
    static final class Counting implements Iterator<Integer> {
        private final int end;
        private int next;

        Counting(int end) {
            this.end = end;
        }

        @Override
        public boolean hasNext() {
            return next < end;
        }

        @Override
        public Integer next() {
            if (next >= end) throw new NoSuchElementException();
            return next++; // boxed, as a generator yields objects; the JIT may still elide the box
        }
    }

    static long iteratorSum(int n) {
        Iterator<Integer> numbers = new Counting(n);
        long total = 0;
        while (numbers.hasNext()) total += numbers.next();
        seen = Kit.runtimeMemory();
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
            case "iterator" -> () -> iteratorSum(n);
            default -> {
                Kit.fail("mode must be arraylist, array, stream or iterator");
                yield null;
            }
        };
        Kit.Timed<Long> timed = Kit.measure(summing::getAsLong, iterations);
        Kit.emit(timed.result(), timed.seconds(), n, seen);
    }
}
