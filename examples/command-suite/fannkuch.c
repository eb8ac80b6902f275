/* fannkuch-redux (the Benchmarks Game algorithm, one thread): ./fannkuch N */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 7;
    if (n < 1 || n > 16) { fprintf(stderr, "N must be 1 to 16\n"); return 2; }
    int perm1[16], perm[16], count[16];
    for (int i = 0; i < n; i++) perm1[i] = i;
    int max_flips = 0, checksum = 0, index = 0, r = n;
    for (;;) {
        while (r != 1) { count[r - 1] = r; r--; }
        memcpy(perm, perm1, sizeof(int) * n);
        int flips = 0;
        for (int k = perm[0]; k != 0; k = perm[0]) {
            for (int i = 0, j = k; i < j; i++, j--) { int t = perm[i]; perm[i] = perm[j]; perm[j] = t; }
            flips++;
        }
        if (flips > max_flips) max_flips = flips;
        checksum += index % 2 == 0 ? flips : -flips;
        for (;;) { /* the next permutation */
            if (r == n) { printf("checksum=%d\nn=%d flips=%d\n", checksum, n, max_flips); return 0; }
            int first = perm1[0];
            memmove(perm1, perm1 + 1, sizeof(int) * r);
            perm1[r] = first;
            if (--count[r] > 0) break;
            r++;
        }
        index++;
    }
}
