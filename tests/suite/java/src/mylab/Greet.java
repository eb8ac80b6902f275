package mylab;

/** A user's own Java program: sums 1..n and prints the lab protocol's JSON line. */
public final class Greet {
    public static void main(String[] argv) {
        long n = Long.parseLong(argv[0].split("=")[1]);
        long start = System.nanoTime();
        long total = n * (n + 1) / 2;
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.println("{\"checksum\": \"" + total + "\", \"work_s\": [" + seconds + "], \"ops\": " + n + ", \"metrics\": {}}");
    }
}
