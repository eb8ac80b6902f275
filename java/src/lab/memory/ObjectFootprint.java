package lab.memory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lab.Kit;

/**
 * Object footprint: the bytes each of n small records costs while an ArrayList retains them.
 *
 * <p>A record is an int id = i and a double value = i * 0.5 (mode=class, a record class). The
 * measured region builds the list; afterwards it is built once more between two readings of the
 * settled heap in use (after full collections, {@link Kit#settledHeapUsed()}), and
 * bytes_per_object = (after - before) / n, as Python and Node measure theirs. The list grows by
 * appending to a default {@code new ArrayList<>()}, as Python's list and Node's Array grow by
 * append and push, so its spare capacity is counted as theirs is. The checksum is read back from
 * the retained records: the sum of id + (long) (value * 2).
 *
 * <p>The expected layout on a 64-bit HotSpot with its defaults (compressed class pointers and
 * compressed oops, no compact object headers): a 12-byte header (8-byte mark word, 4-byte class
 * pointer), the int in the 4 bytes after it, then the double: 24 bytes, already a multiple of the
 * 8-byte alignment. On top of that the list's 4-byte compressed reference slot, and the slack of
 * its array, which grows by half each time it fills: for n = 200,000 the capacity is 240,097
 * (4.8 bytes per record), about 28.8 bytes per record in all.
 */
public final class ObjectFootprint {
    record Reading(int id, double value) {}

    /** The records built between two settled heap readings, and the bytes each costs. */
    record Footprint(List<Reading> records, double bytesPerObject) {}

    static List<Reading> build(int n) {
        List<Reading> records = new ArrayList<>(); // no presizing: grown as Python's and Node's are
        for (int i = 0; i < n; i++) records.add(new Reading(i, i * 0.5));
        return records;
    }

    static Footprint settledFootprint(int n) {
        long before = Kit.settledHeapUsed();
        List<Reading> records = build(n);
        long after = Kit.settledHeapUsed();
        return new Footprint(records, (after - before) / (double) n);
    }

    static long checksum(List<Reading> records) {
        long total = 0;
        for (Reading record : records) total += record.id() + (long) (record.value() * 2);
        return total;
    }

    public static void main(String[] argv) {
        Kit.Args args = Kit.parse(argv);
        int n = args.getInt("n", 200_000);
        String mode = args.getString("mode", "class");
        int iterations = args.getInt("iterations", 1);
        args.checkAllUsed();
        if (!mode.equals("class") || n < 1) {
            Kit.fail("mode must be class and n at least 1");
        }
        List<Double> seconds = Kit.measure(() -> build(n), iterations).seconds();
        Footprint footprint = settledFootprint(n);
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("bytes_per_object", footprint.bytesPerObject());
        metrics.putAll(Kit.runtimeMemory()); // while the n records are held
        Kit.emit(checksum(footprint.records()), seconds, n, metrics);
    }
}
