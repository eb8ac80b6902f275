/* binary-trees (the Benchmarks Game algorithm, one thread, malloc and free): ./binarytrees DEPTH */
#include <stdio.h>
#include <stdlib.h>

#define MIN_DEPTH 4

typedef struct node { struct node *left, *right; } node;

static node *make(int depth) {
    node *n = malloc(sizeof *n);
    if (!n) { perror("malloc"); exit(1); }
    n->left = depth ? make(depth - 1) : NULL;
    n->right = depth ? make(depth - 1) : NULL;
    return n;
}

static long check(const node *n) { return n->left ? 1 + check(n->left) + check(n->right) : 1; }

static void drop(node *n) {
    if (n->left) { drop(n->left); drop(n->right); }
    free(n);
}

static long check_and_drop(node *n) { long c = check(n); drop(n); return c; }

int main(int argc, char **argv) {
    int max_depth = argc > 1 ? atoi(argv[1]) : 6;
    if (max_depth < MIN_DEPTH + 2) max_depth = MIN_DEPTH + 2;
    printf("stretch(%d) = %ld\n", max_depth + 1, check_and_drop(make(max_depth + 1)));
    node *long_lived = make(max_depth);
    for (int depth = MIN_DEPTH; depth <= max_depth; depth += 2) {
        long iterations = 1L << (max_depth - depth + MIN_DEPTH), total = 0;
        for (long i = 0; i < iterations; i++) total += check_and_drop(make(depth));
        printf("trees(%ld x depth %d) = %ld\n", iterations, depth, total);
    }
    printf("long_lived(%d) = %ld\n", max_depth, check_and_drop(long_lived));
    return 0;
}
