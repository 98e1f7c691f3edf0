"""No resources at all."""
