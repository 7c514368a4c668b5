"""The build side: load the files, validate them, reason, and freeze the result in a cached store.

`loader` (files -> named graphs) -> `validation` (SHACL) -> `reasoners` (registry: rules,
owlrl, none) -> `store` (the frozen, cached dataset); `pipeline.build` runs them in order.
"""
