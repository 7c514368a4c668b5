"""The service: one object, built once by `compose`, that answers plain requests.

`http` (plain requests, responses and the one header policy), `protocol` (the SPARQL 1.1
Protocol's parameters), `ratelimit`, `description` (the service description), `exporting`
(the dataset in an RDF format), `stats`, `service` (the `Service` class) and `compose`
(the composition root and its profiles).
"""
