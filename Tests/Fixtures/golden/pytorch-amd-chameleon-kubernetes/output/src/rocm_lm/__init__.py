"rocm-lm: Small language models on ROCm"

__version__ = "0.1.0"
