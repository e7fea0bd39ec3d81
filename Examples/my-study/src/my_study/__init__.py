"my-study: A reproducible machine-learning study"

__version__ = "0.1.0"
