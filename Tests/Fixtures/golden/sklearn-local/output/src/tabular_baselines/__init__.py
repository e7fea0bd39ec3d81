"tabular-baselines: Baselines for a tabular benchmark"

__version__ = "0.1.0"
