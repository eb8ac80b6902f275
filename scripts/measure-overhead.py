#!/usr/bin/env python3
"""Container overhead: the same programs natively and in containers, interleaved, as medians and ratios.

    python3 scripts/measure-overhead.py [--rounds 5] [--json FILE]

Three ways to run each program, in a shuffled order every round:

- ``docker``: the docker backend (a fresh container per run, the default limits);
- ``chroot``: the very binaries of the image (its root filesystem, exported), run natively by the
  native backend through ``chroot``: no namespaces, no limits, no engine: the container's own cost;
- ``host``: the runtimes installed on this machine, as ``--backend native`` runs them (other
  versions, so this ratio mixes the container's cost with the versions' difference).

``compare --backend native,docker`` puts the host ratio in the report; this script adds the chroot
ratio, which separates the container's own cost from the difference between runtime versions.
Run it as root (chroot, bind mounts, per-run cgroups) with the engine running.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import catalogue, plan, runtimes
from harness.executors.docker.executor import DockerExecutor
from harness.executors.native import NativeExecutor, run_measured
from harness.measure import cgroup
from harness.run.measurement import RunFailed, run_record

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ("wall_s", "work_warm_s", "cpu_s", "peak_rss_bytes", "cgroup_peak_bytes")


def jobs(n: int, steps: int) -> list:
    """A memory workload (eager_lazy, materialising) and a CPU-bound one (cpu_scaling, sequential)."""
    loaded = catalogue.load()
    eager = loaded.workloads["eager_lazy"]
    chosen = [plan.Job(eager, p, (("iterations", 3), ("n", n))) for p in eager.programs
              if p.variant in ("list", "arraylist", "array") and p.language in ("python", "java", "node")
              and (p.language != "java" or p.variant == "arraylist")]
    scaling = loaded.workloads["cpu_scaling"]
    programs = [p for p in scaling.programs if p.args.get("mode") == "sequential"]
    params = (("chunks", 64), ("iterations", 3), ("steps", steps), ("threads", 1))
    chosen += [plan.Job(scaling, p, params) for p in programs]
    return chosen


class ChrootRunner:
    """Runs a job natively with the binaries of its docker image, from the image's exported root."""

    def __init__(self, docker: DockerExecutor, workdir: Path):
        self.docker, self.roots, self.mounts = docker, {}, []
        for language, image in docker.images.items():
            root = workdir / language
            root.mkdir(parents=True)
            container = docker.client.containers.create(image.image.id, ["true"])
            try:
                export = subprocess.Popen(["tar", "-x", "-C", str(root)], stdin=subprocess.PIPE)
                assert export.stdin is not None  # opened with stdin=PIPE
                for chunk in container.export():
                    export.stdin.write(chunk)
                export.stdin.close()
                export.wait()
            finally:
                container.remove(force=True)
            for fs in ("proc", "sys", "dev"):
                subprocess.run(["mount", "--rbind", f"/{fs}", str(root / fs)], check=True)
                self.mounts.append(root / fs)
            self.roots[language] = root
        self.support = cgroup.detect()

    def run(self, job, timeout_s):
        argv = self.docker.command(job, job.arguments())
        root = self.roots[job.program.language]
        command = [shutil.which("chroot") or "/usr/sbin/chroot", "--userspec=10001:10001", str(root), *argv]
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "PYTHONPATH": "/lab/python", "LANG": "C.UTF-8"}
        return run_measured(command, env, timeout_s, self.docker.sample_interval_s, self.support)

    def close(self):
        for mount in reversed(self.mounts):
            subprocess.run(["umount", "-R", "-l", str(mount)], check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n", type=int, default=3_000_000, help="eager_lazy size")
    parser.add_argument("--steps", type=int, default=100_000, help="cpu_scaling steps per chunk")
    parser.add_argument("--json", type=Path, help="write every run's figures here")
    args = parser.parse_args()

    docker = DockerExecutor(progress=lambda message: print(message, file=sys.stderr))
    toolchain = runtimes.discover()
    all_jobs = jobs(args.n, args.steps)
    runtimes.compile_java(toolchain, {j.program.root for j in all_jobs if j.program.language == "java"})
    native = NativeExecutor(toolchain)
    rows: dict[tuple, list] = {}
    with tempfile.TemporaryDirectory(prefix="lab-chroot-") as workdir:
        chroot = ChrootRunner(docker, Path(workdir))
        try:
            backends = {"docker": docker.run, "chroot": chroot.run, "host": native.run}
            order = [(name, job) for job in all_jobs for name in backends]
            for round_index in range(args.rounds + 1):  # the first round is a warm-up (page cache)
                random.Random(round_index).shuffle(order)
                for name, job in order:
                    try:
                        record = run_record(backends[name](job, 600))
                    except RunFailed as failed:
                        print(f"{name} {job.workload.name} {job.program.label}: {failed.status} {failed.reason}", file=sys.stderr)
                        continue
                    if round_index:
                        rows.setdefault((job.workload.name, job.program.label, name), []).append(record)
        finally:
            chroot.close()
            docker.close()
    report(rows, docker.environment(), toolchain)
    if args.json:
        args.json.write_text(json.dumps({f"{w} {p} {b}": r for (w, p, b), r in rows.items()}, indent=1, default=str))
    return 0


def report(rows: dict, env: dict, toolchain) -> None:
    versions = {lang: info.get("version") for lang, info in env["runtimes"].items()}
    host = {lang: runtime.version for lang, runtime in toolchain.runtimes.items()}
    print(f"image runtimes {versions}; host runtimes {host}; limits {env['limits']}")
    medians = {key: {f: statistics.median(r[f] for r in runs if r.get(f) is not None) for f in FIGURES} for key, runs in rows.items()}
    print(f"{'workload':12} {'program':18} {'backend':7} " + " ".join(f"{f:>17}" for f in FIGURES) + "   n")
    for (workload, label, name), figures in sorted(medians.items()):
        cells = [f"{figures[f] / 1e6:>15.1f}MB" if f.endswith("bytes") else f"{figures[f]:>16.3f}s" for f in FIGURES]
        print(f"{workload:12} {label:18} {name:7} " + " ".join(cells) + f"   {len(rows[(workload, label, name)])}")
    print("\nratios docker / chroot (same binaries) and docker / host (the machine's runtimes):")
    for (workload, label, name), figures in sorted(medians.items()):
        if name != "docker":
            continue
        for other in ("chroot", "host"):
            base = medians.get((workload, label, other))
            if base:
                ratios = " ".join(f"{f}={figures[f] / base[f]:.2f}" if base[f] else f"{f}=-" for f in FIGURES)
                print(f"{workload:12} {label:18} docker/{other:6} {ratios}")


if __name__ == "__main__":
    sys.exit(main())
