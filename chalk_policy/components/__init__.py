"""Pulumi components that open Chalk egress in a cloud network.

The only layer of ``chalk_policy`` that declares cloud resources. Each cloud lives in its own module
(``aws``, ``azure``) so that a program only pays for the provider SDK it uses.
"""

from .aws import ChalkAwsEgress, ChalkAwsEgressArgs, ComponentInputError, SignalingMode

__all__ = ["ChalkAwsEgress", "ChalkAwsEgressArgs", "ComponentInputError", "SignalingMode"]
