// GitSupport module: see README.
