"""mtreview: find and fix what a machine translation got wrong."""

__version__ = "0.1.0"
