// EnvironmentProbe module: see README.
