"""Speed and memory benchmarks of hrsearch (issue 7); ``python -m benchmarks.run`` runs them.

Every figure is a median over several runs with its spread, and wherever a limit or a peer
exists it is measured side by side in the same run, interleaved, so that the shared machine's
drift cancels out of the ratio. Results land in ``benchmarks/results/`` as JSON and are written
up in BENCHMARKS.md.
"""
