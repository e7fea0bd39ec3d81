// Prompting module: see README.
