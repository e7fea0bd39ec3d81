"""My study."""

FRAMEWORK = "pytorch"
USE_GPU = True
