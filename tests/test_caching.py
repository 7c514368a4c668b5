"""The result cache and conditional GET: the same query on the same build is answered once."""

from __future__ import annotations

import pytest

from s3graph.query.executors import InProcess, Job, Outcome
from s3graph.service.http import Request

Q = ("SELECT ?code WHERE { <https://w3id.org/s3graph/id/territory/SE312> "
     "<https://w3id.org/s3graph/ontology#nutsCode> ?code }")


class Counting(InProcess):
    """Runs jobs in-process and counts them."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        super().__init__(engine)
        self.jobs: list[Job] = []

    def run(self, job: Job, timeout: float) -> Outcome:
        self.jobs.append(job)
        return super().run(job, timeout)


def test_the_same_query_is_run_once_and_answered_the_same(make_app, engine) -> None:  # type: ignore[no-untyped-def]
    counting = Counting(engine)
    client = make_app(executor=counting).test_client()
    first, second = (client.get("/sparql", query_string={"query": Q}) for _ in range(2))
    assert len(counting.jobs) == 1
    assert (first.status_code, first.data, first.headers["ETag"]) == (second.status_code, second.data,
                                                                       second.headers["ETag"])
    assert first.headers["X-S3Graph-Results"] == second.headers["X-S3Graph-Results"] == "1"
    client.get("/sparql", query_string={"query": Q, "format": "csv"})  # another format: run again
    client.get("/sparql", query_string={"query": Q, "infer": "false"})  # another dataset: run again
    client.get("/queries/region-profile", query_string={"region": "SE-W"})
    client.get("/queries/region-profile", query_string={"region": "Dalarna"})  # the same bound term
    assert len(counting.jobs) == 4


def test_etags_and_conditional_get(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": Q})
    etag = response.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) == 34
    assert client.get("/sparql", query_string={"query": Q, "format": "csv"}).headers["ETag"] != etag
    for match in (etag, f'"other", {etag}', "*"):
        again = client.get("/sparql", query_string={"query": Q}, headers={"If-None-Match": match})
        assert again.status_code == 304 and again.data == b""
        assert again.headers["ETag"] == etag and "Content-Type" not in again.headers
    assert client.get("/sparql", query_string={"query": Q}, headers={"If-None-Match": '"other"'}).status_code == 200
    canned = client.get("/queries/region-profile")
    assert client.get("/queries/region-profile", headers={"If-None-Match": canned.headers["ETag"]}).status_code == 304


def test_federated_answers_are_never_kept_and_no_cache_can_be_asked_for(make_app, engine) -> None:  # type: ignore[no-untyped-def]
    counting = Counting(engine)
    app = make_app(executor=counting)
    service = app.extensions["s3graph"].service
    from s3graph.query.engines import select_dataset

    dataset = select_dataset(service.built)
    for _ in range(2):
        service.answer(Request("GET"), Q, dataset, "json", services=("https://query.wikidata.org/sparql",))
    assert len(counting.jobs) == 2
    none = Counting(engine)
    client = make_app(executor=none, result_cache_mb=0).test_client()
    for _ in range(2):
        client.get("/sparql", query_string={"query": Q})
    assert len(none.jobs) == 2


def test_a_post_whose_if_none_match_names_the_answer_is_412(client) -> None:  # type: ignore[no-untyped-def]
    first = client.get("/sparql", query_string={"query": "ASK {}"})
    etag = first.headers["ETag"]
    posted = client.post("/sparql", data={"query": "ASK {}"}, headers={"If-None-Match": etag})
    assert posted.status_code == 412 and posted.json["error"] == "precondition-failed"
    assert client.post("/sparql", data={"query": "ASK {}"}, headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize(("path", "accept"), [("/sparql", "text/turtle"), ("/sparql", "application/n-triples"),
                                              ("/queries", "application/json"), ("/queries", "text/html")])
def test_the_description_and_the_list_of_queries_are_cached_by_etag(client, path: str,  # type: ignore[no-untyped-def]
                                                                    accept: str) -> None:
    first = client.get(path, headers={"Accept": accept})
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, max-age=300"
    again = client.get(path, headers={"Accept": accept, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_the_result_cache_charges_the_query_text_of_its_key() -> None:
    """Found in review: answers were charged their body only, so a 64 KB query with a tiny
    answer took 256 bytes of the budget."""
    from s3graph.query.executors import Outcome
    from s3graph.service.cache import ResultCache

    cache = ResultCache(1 << 20)
    tiny = Outcome(True, "application/sparql-results+json", b'{"head":{},"boolean":true}')
    for n in range(40):
        cache.put((f"ASK {{}} # {n}" + "x" * 60_000, "dataset", "json", ()), tiny, f'"{n}"')
    assert cache.size <= 1 << 20 and len(cache) < 18
