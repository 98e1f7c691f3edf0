"""chalk-policy: Vuforia Chalk's network requirements as code."""

__version__ = "0.1.0"
