"""Infrastructure the simulators share: the gateway skeleton (gate.py), the per-app runtime
bundle (runtime.py), state-file persistence (persistence.py), request helpers (routes.py) and
the generic /__sim__ admin endpoints (admin.py). Each simulator keeps only what its API does
differently: wire formats, auth, error bodies and account state."""
