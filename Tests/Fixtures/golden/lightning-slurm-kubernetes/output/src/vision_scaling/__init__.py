"Vision Scaling: Scaling laws for small vision models"

__version__ = "0.1.0"
