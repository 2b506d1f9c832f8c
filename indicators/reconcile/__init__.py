"""The reconciliation of the portal's approved figures with the statistics return (基表) of a school year.

`compare` is pure (plain data in and out), `selectors` reads, `views`, `exports` and `api` present. No models here:
the statistics figures and the resolutions are schools.statistics'.
"""
