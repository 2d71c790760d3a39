"""GpuEnet for Python: scikit-learn-style Elastic Net estimators that run the ``gpuenet`` command line.

Only numpy is needed. The data go to the CLI as a Fortran-ordered float64 ``.npy`` file (memory-mapped by it, no CSV
round trip) and the fit comes back as the CLI's JSON. See ``GpuEnet`` and ``GpuEnetCV``.
"""

from ._cli import GpuEnetError, find_cli
from ._estimators import DataConversionWarning, GpuEnet, GpuEnetCV, NotFittedError

__all__ = [
    "GpuEnet",
    "GpuEnetCV",
    "GpuEnetError",
    "NotFittedError",
    "DataConversionWarning",
    "find_cli",
]
__version__ = "0.1.0"
