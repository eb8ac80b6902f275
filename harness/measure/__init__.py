"""Measuring a running program: the process-tree sampler, cgroups, output capture, load generators."""
