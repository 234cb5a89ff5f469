from e2e.harness import sim, sim_server

__all__ = ["sim", "sim_server"]
