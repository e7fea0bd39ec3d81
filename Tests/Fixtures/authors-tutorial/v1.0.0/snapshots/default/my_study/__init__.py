"""My study."""

FRAMEWORK = "sklearn"
USE_GPU = False
