"""Runtime Lab: measure equivalent Python, Java and Node.js programs the same way."""

__version__ = "0.1.0"
