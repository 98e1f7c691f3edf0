"""A recording stand-in for the ``pulumi-resource-aws`` and ``pulumi-resource-azure-native`` plugins.

The real provider plugins cannot be built here, so the end-to-end tests run the real Pulumi engine against this
gRPC ``ResourceProvider`` instead. It:

* answers the plugin handshake (port on stdout) and the provider protocol (Handshake, Configure, Check, Diff,
  Create, Read, Update, Delete) the way the real providers shape their answers: auto-names, ``__defaults``,
  ids and ARNs that look like the real ones, unknown outputs during preview;
* decides update-versus-replace from one table, :mod:`recorder.replacements`, in which every entry names the
  provider source it was read from;
* appends every call it receives, as one JSON object per line, to the file named by ``CHALK_RECORDER_LOG``.

What it does **not** do: it validates nothing about AWS or Azure. It talks to no cloud, checks no CIDR, port,
quota, name rule or API constraint beyond what the replace table and the auto-name lengths say, and its "cloud"
never drifts (Read returns exactly the stored state). A plan that this provider accepts may still fail against
AWS or Azure; what the recording shows is what the engine asked for and whether each change would be an
in-place update or a replacement according to the table.
"""

from __future__ import annotations

LOG_ENV = "CHALK_RECORDER_LOG"
"""Environment variable naming the JSON-lines file the provider appends its calls to."""

PACKAGES: dict[str, str] = {"aws": "pulumi_aws", "azure-native": "pulumi_azure_native"}
"""Pulumi package name -> the Python SDK distribution whose version the plugin reports by default."""
