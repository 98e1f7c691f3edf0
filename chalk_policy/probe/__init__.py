"""``chalk-policy probe``: test from inside a network whether Chalk's signaling and media get through it.

The pure parts say what to probe and what the answers mean; the network parts only send and receive:

- :mod:`.model`: the records (checks, results, settings) and enums (:class:`.model.Verdict`,
  :class:`.model.Transport`, ...); frozen, no I/O.
- :mod:`.inputs`: the command line's values (``--resolve``, ``--connect-to``, ``--proxy``, TURN credentials) parsed
  and checked, pure.
- :mod:`.targets`: the checks a plan asks for: TLS to every signaling host of the plan on TCP 443, STUN binding
  requests (and TURN allocations, with credentials) to the STUN/TURN hosts of the catalog on the ports of each port
  option, and what cannot be probed (UDP 10000-60000). Pure.
- :mod:`.verdict`: the results judged: a verdict per port option and per region, and for each failed check the rule
  of the firewall ticket that is missing. Pure.
- :mod:`.formats`: the renderings (text, json, junit), one declaration each. Pure.
- :mod:`.net`, :mod:`.signaling`, :mod:`.media`: the network I/O (DNS, TCP, TLS, HTTP CONNECT, STUN, TURN via
  aioice), each check bounded by its timeout.
- :mod:`.runner`: runs every check concurrently under one deadline.

An import-linter contract (pyproject.toml) keeps the pure modules free of the network modules and of ``socket``,
``ssl``, ``asyncio`` and ``aioice``.
"""
