"""The weekly batch: discovery of inputs, run state, executors (local processes, Dask), the named stages of ``run``."""
