/** binary-trees (the Benchmarks Game algorithm, one thread): java BinaryTrees DEPTH */
public final class BinaryTrees {
    private static final int MIN_DEPTH = 4;

    record Node(Node left, Node right) {
        int check() { return left == null ? 1 : 1 + left.check() + right.check(); }
    }

    static Node make(int depth) {
        return depth == 0 ? new Node(null, null) : new Node(make(depth - 1), make(depth - 1));
    }

    public static void main(String[] args) {
        int maxDepth = Math.max(MIN_DEPTH + 2, Integer.parseInt(args[0]));
        System.out.printf("stretch depth %d, check %d%n", maxDepth + 1, make(maxDepth + 1).check());
        Node longLived = make(maxDepth);
        for (int depth = MIN_DEPTH; depth <= maxDepth; depth += 2) {
            int iterations = 1 << (maxDepth - depth + MIN_DEPTH);
            long total = 0;
            for (int i = 0; i < iterations; i++) total += make(depth).check();
            System.out.printf("%d trees of depth %d, check %d%n", iterations, depth, total);
        }
        System.out.printf("long-lived depth %d, check %d%n", maxDepth, longLived.check());
    }
}
