"""One module per webhook provider: what is particular to it, and nothing else."""
