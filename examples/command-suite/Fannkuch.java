/** fannkuch-redux (the Benchmarks Game algorithm, one thread): java Fannkuch N */
public final class Fannkuch {
    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        int[] perm1 = new int[n], perm = new int[n], count = new int[n];
        for (int i = 0; i < n; i++) perm1[i] = i;
        int maxFlips = 0, checksum = 0, index = 0, r = n;
        outer:
        while (true) {
            while (r != 1) { count[r - 1] = r; r--; }
            System.arraycopy(perm1, 0, perm, 0, n);
            int flips = 0;
            for (int k = perm[0]; k != 0; k = perm[0]) {
                for (int i = 0, j = k; i < j; i++, j--) { int t = perm[i]; perm[i] = perm[j]; perm[j] = t; }
                flips++;
            }
            maxFlips = Math.max(maxFlips, flips);
            checksum += index % 2 == 0 ? flips : -flips;
            while (true) { // the next permutation
                if (r == n) break outer;
                int first = perm1[0];
                System.arraycopy(perm1, 1, perm1, 0, r);
                perm1[r] = first;
                if (--count[r] > 0) break;
                r++;
            }
            index++;
        }
        System.out.println("Checksum: " + checksum + "; Pfannkuchen(" + n + ") = " + maxFlips);
    }
}
