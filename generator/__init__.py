"""medguide: turns structured medicine records into a patient-facing guide website."""

__version__ = "0.1.0"
