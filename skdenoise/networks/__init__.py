"""Keras model builders, independent of scikit-learn.

The builders live in ``skdenoise.neural.networks``; this module gives them
under their short path. Keras is imported when a builder is called.
"""

from ..neural.networks import *  # noqa: F403
from ..neural.networks import __all__  # noqa: F401
