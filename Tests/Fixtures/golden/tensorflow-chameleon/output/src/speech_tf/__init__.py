"speech-tf: Keyword spotting with TensorFlow"

__version__ = "0.1.0"
