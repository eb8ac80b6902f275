"""Running the jobs: the runner's rounds, each workload kind's lifecycle, and the backends."""
