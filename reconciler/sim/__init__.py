"""Local simulators of the providers' APIs, and the helper that serves them over HTTP."""
