"""skdenoise: deep-learning denoisers for 1D time series as scikit-learn transformers."""
from ._version import __version__

__all__ = ["__version__"]
