"""The only package that touches the network: live TLS probes. CONTRACT STUB.

run_probe(target, checks=None, progress=None, cancel=None, now=None) -> ProbeReport
  checks: check ids from rules/checks/ to decide (targeted mode); None runs every check (full mode).
  progress: called as progress(check_id, status_or_None) from worker threads as checks start/finish.
  cancel: a threading.Event; when set, the probe stops promptly and returns what it has.
  Never raises; every network step has target.timeout.
"""
