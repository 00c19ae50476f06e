"""Issue 33, the whole SPF tree: `spf DOMAIN --tree --json` over the lab's nsd on the domains that
pass a limit, publish an invalid record, or nest includes deeply (Tests/Lab/zones/lab.test.zone,
"SPF trees"), and the compact tree in a letter about SPF."""
import os
import pathlib

import pytest

from json_outputs import run_json
from labenv import lab_env

HERE = pathlib.Path(__file__).resolve().parent
LAB_ENV = pathlib.Path(os.environ.get("LAB_ENV", HERE / "run" / "lab.env"))

pytestmark = pytest.mark.skipif(not LAB_ENV.exists(), reason="the lab is not running (make lab-start)")


def tree(name, *extra):
    return run_json(["spf", f"{name}.tree.lab.test", "--tree", "--json", "--dns-server", lab_env()["LAB_DNS"], *extra])


def terms(node):
    for term in node["terms"]:
        yield term
        if term["child"]:
            yield from terms(term["child"])


def test_too_many_lookups_shows_every_branch_past_the_tenth():
    walked = tree("toomany")
    assert (walked["lookups"], walked["void_lookups"]) == (15, 0)
    assert walked["limit_passed_at"] == {"limit": "lookups", "term": "a:host.tree.lab.test", "domain": "t2.tree.lab.test"}
    assert [term["term"] for term in walked["tree"]["terms"]][-3:] == ["a:host.tree.lab.test", "include:t4.tree.lab.test", "-all"]
    last = walked["tree"]["terms"][-2]
    assert last["lookups"] == 15 and last["child"]["record"] == "v=spf1 ip4:10.1.4.0/24 -all", "the walk went on past the limit"
    assert walked["receiver"] == {"ip": "192.0.2.1", "result": "permerror", "lookups": 11, "void_lookups": 0}


def test_void_lookups_are_counted_where_they_happen():
    walked = tree("void", "--ip", "203.0.113.9")
    counts = [(term["term"], term["lookups"], term["void_lookups"]) for term in walked["tree"]["terms"]]
    assert counts == [("a:nx1.tree.lab.test", 1, 1), ("ip4:192.0.2.0/24", 1, 1), ("mx:nx2.tree.lab.test", 2, 2),
                      ("exists:nx3.tree.lab.test", 3, 3), ("a:nx4.tree.lab.test", 4, 4), ("-all", 4, 4)]
    assert walked["limit_passed_at"] == {"limit": "void_lookups", "term": "exists:nx3.tree.lab.test", "domain": "void.tree.lab.test"}
    assert walked["tree"]["terms"][2]["queries"] == [{"name": "nx2.tree.lab.test", "type": "MX", "rcode": "NXDOMAIN", "answers": []}]
    assert walked["receiver"] == {"ip": "203.0.113.9", "result": "permerror", "lookups": 3, "void_lookups": 3}


def test_an_invalid_record_is_shown_raw_and_the_walk_goes_on():
    walked = tree("badchild")
    invalid = walked["tree"]["terms"][0]["child"]
    assert invalid["record"] == "v=spf1 ip4:192.0.2.0/24 ip4:300.1.1.1 -all"
    assert any("is invalid" in problem for problem in invalid["problems"])
    assert [term["term"] for term in walked["tree"]["terms"]] == ["include:invalid.tree.lab.test", "mx:lab.test", "include:nospf.lab.test", "-all"]
    assert walked["tree"]["terms"][1]["queries"][0]["answers"] == ["smtp.lab.test"]
    assert walked["lookups"] == 3 and walked["receiver"]["result"] == "permerror" and walked["receiver"]["lookups"] == 1


def test_a_deep_include_is_followed_to_its_redirect():
    walked = tree("deep", "--ip", "203.0.113.9")
    names = [term["child"]["name"] for term in terms(walked["tree"]) if term["child"]]
    assert names == [f"d{level}.tree.lab.test" for level in range(1, 7)]
    assert walked["lookups"] == 7 and walked["limit_passed_at"] is None
    assert walked["receiver"] == {"ip": "203.0.113.9", "result": "pass", "lookups": 7, "void_lookups": 0}, "d6 lists the address, six records down"


def test_a_letter_about_spf_shows_the_failing_domains_tree(every_world):
    name, run = every_world[0]
    letter = (run / "institutions" / "toomany.md").read_text()
    tree_part = letter.split("## Check it yourself", 1)[1]
    assert "`notice-audit spf toomany.demo.test --tree`" in tree_part
    assert "  include:spf-na.exlibrisgroup.com (lookups 11, void 0)" in tree_part
    assert "the limit was passed at include:spf-na.exlibrisgroup.com in toomany.demo.test" in tree_part
