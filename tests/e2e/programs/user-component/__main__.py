"""The Chalk clients' egress through chalk-policy's component alone: regions de1 and ie1, option 1."""

from chalk_policy.components.aws import ChalkAwsEgress, ChalkAwsEgressArgs

ChalkAwsEgress("chalk", ChalkAwsEgressArgs(vpc_id="vpc-0a1b2c3d4e5f60718", regions=["de1", "ie1"], option=1))
