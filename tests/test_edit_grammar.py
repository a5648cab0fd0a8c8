"""The edit grammar (agent/edit_grammar.py) and edit plans (agent/edit_planner.py): tables of phrasings, EN and FR."""

from __future__ import annotations

import pytest

from agent.edit_grammar import ALL, FOCUS, Edit, EditNotUnderstoodError, UnknownObjectError, match_label, parse_edit
from agent.edit_planner import EditRefusedError, hints_of, plan_edit
from agent.scene_manifest import SceneManifest, SceneObject
from tools.errors import InvalidInputError

PARIS = ["Eiffel Tower", "Louvre Pyramid", "Arc de Triomphe", "Notre-Dame de Paris", "Sacré-Cœur", "Panthéon",
         "Luxor Obelisk", "Moulin Rouge"]


@pytest.mark.parametrize(("text", "expected"), [
    # add
    ("now add the Panthéon", [Edit("add", subject="Panthéon")]),
    ("add a lighthouse and a windmill", [Edit("add", subject="lighthouse"), Edit("add", subject="windmill")]),
    ("add the Statue of Liberty next to the Eiffel Tower",
     [Edit("add", subject="Statue of Liberty", where="next_to", anchor="the Eiffel Tower")]),
    ("ajoute le Panthéon", [Edit("add", subject="Panthéon")]),
    # remove
    ("remove the obelisk", [Edit("remove", target="the obelisk")]),
    ("please get rid of the Moulin Rouge", [Edit("remove", target="the Moulin Rouge")]),
    ("enlève l'obélisque", [Edit("remove", target="l'obélisque")]),
    ("supprime la tour Eiffel", [Edit("remove", target="la tour Eiffel")]),
    # swap
    ("replace the obelisk with the Statue of Liberty", [Edit("swap", target="the obelisk", subject="Statue of Liberty")]),
    ("swap the obelisk for a lighthouse", [Edit("swap", target="the obelisk", subject="lighthouse")]),
    ("put a windmill instead of the obelisk", [Edit("swap", target="the obelisk", subject="windmill")]),
    ("remplace l'obélisque par la statue de la Liberté",
     [Edit("swap", target="l'obélisque", subject="Statue of Liberty")]),
    # resize
    ("make the Eiffel Tower twice as big", [Edit("resize", target="the Eiffel Tower", factor=2.0)]),
    ("make the Eiffel Tower 3 times bigger", [Edit("resize", target="the Eiffel Tower", factor=3.0)]),
    ("make the eiffel tower much smaller", [Edit("resize", target="the eiffel tower", factor=0.5)]),
    ("make the Arc de Triomphe half as big", [Edit("resize", target="the Arc de Triomphe", factor=0.5)]),
    ("scale the arc de triomphe by 3", [Edit("resize", target="the arc de triomphe", factor=3.0)]),
    ("smaller", [Edit("resize", target=FOCUS, factor=0.6667)]),
    ("make it bigger", [Edit("resize", target=FOCUS, factor=1.5)]),
    ("make everything smaller", [Edit("resize", target=ALL, factor=0.6667)]),
    ("rends la tour Eiffel deux fois plus grande", [Edit("resize", target="la tour Eiffel", factor=2.0)]),
    ("rapetisse la tour Eiffel", [Edit("resize", target="la tour Eiffel", factor=0.6667)]),
    ("agrandis l'obélisque", [Edit("resize", target="l'obélisque", factor=1.5)]),
    # move
    ("put the Louvre Pyramid at the entrance", [Edit("move", target="the Louvre Pyramid", where="entrance")]),
    ("move the Sacré-Cœur to the back", [Edit("move", target="the Sacré-Cœur", where="back")]),
    ("put the Louvre Pyramid next to the Eiffel Tower",
     [Edit("move", target="the Louvre Pyramid", where="next_to", anchor="the Eiffel Tower")]),
    ("mets la pyramide du Louvre à l'entrée", [Edit("move", target="la pyramide du Louvre", where="entrance")]),
    ("mets la tour Eiffel à côté du Panthéon",
     [Edit("move", target="la tour Eiffel", where="next_to", anchor="Panthéon")]),
    # retitle
    ("call it Paris at night", [Edit("retitle", title="Paris at night")]),
    ('rename the gallery to "Paris by night"', [Edit("retitle", title="Paris by night")]),
    ("change the title to Paris 1900", [Edit("retitle", title="Paris 1900")]),
    ("intitule la galerie Paris la nuit", [Edit("retitle", title="Paris la nuit")]),
    # layout and spacing
    ("in a circle", [Edit("layout", layout="circle")]),
    ("arrange them in a row", [Edit("layout", layout="row")]),
    ("en cercle", [Edit("layout", layout="circle")]),
    ("mets-les en ligne", [Edit("layout", layout="row")]),
    ("more space between them", [Edit("spacing", factor=1.5)]),
    ("spread them out", [Edit("spacing", factor=1.5)]),
    ("plus d'espace entre eux", [Edit("spacing", factor=1.5)]),
    ("bring them closer together", [Edit("spacing", factor=1 / 1.5)]),
    # recolour
    ("make the Moulin Rouge blue", [Edit("recolour", target="the Moulin Rouge", colour="blue")]),
    ("peins le Moulin Rouge en bleu", [Edit("recolour", target="le Moulin Rouge", colour="blue")]),
    # several clauses
    ("remove the obelisk and make the Eiffel Tower twice as big",
     [Edit("remove", target="the obelisk"), Edit("resize", target="the Eiffel Tower", factor=2.0)]),
    ("enlève l'obélisque puis en cercle", [Edit("remove", target="l'obélisque"), Edit("layout", layout="circle")]),
])
def test_follow_ups_are_read_into_edits(text, expected):
    assert parse_edit(text) == expected


@pytest.mark.parametrize("text", ["what is the weather", "make it sing", "", "   ", "teleport the Louvre to Mars"])
def test_what_the_grammar_cannot_read_says_what_it_can_do(text):
    with pytest.raises(EditNotUnderstoodError, match="I can add .* remove .* swap") as caught:
        parse_edit(text)
    assert isinstance(caught.value, InvalidInputError) and isinstance(caught.value, ValueError)


@pytest.mark.parametrize(("phrase", "label"), [
    ("the obelisk", "Luxor Obelisk"), ("THE EIFFEL TOWER", "Eiffel Tower"), ("la tour eiffel", "Eiffel Tower"),
    ("Eifel tower", "Eiffel Tower"), ("sacre coeur", "Sacré-Cœur"), ("l'obélisque", "Luxor Obelisk"),
    ("la pyramide du Louvre", "Louvre Pyramid"), ("notre dame", "Notre-Dame de Paris"), ("pantheon", "Panthéon"),
])
def test_labels_match_whatever_the_case_accents_and_articles(phrase, label):
    assert match_label(phrase, PARIS) == label


def test_an_object_not_in_the_scene_is_named_with_the_scene_s_objects():
    with pytest.raises(UnknownObjectError, match="no 'the Colosseum' in this scene; its objects are: Eiffel Tower"):
        match_label("the Colosseum", PARIS)


def _paris() -> SceneManifest:
    return SceneManifest("20261129-000000-0123456789abcdef", "Paris landmarks", tuple(
        SceneObject(label, label, f"assets/call-{i}_x.glb", height_m=float(8 - i)) for i, label in enumerate(PARIS)))


@pytest.mark.parametrize(("text", "labels", "to_make", "hints"), [
    ("remove the obelisk", [p for p in PARIS if p != "Luxor Obelisk"], {}, ""),
    ("replace the obelisk with the Statue of Liberty",
     [p if p != "Luxor Obelisk" else "Statue of Liberty" for p in PARIS], {"Statue of Liberty": "Statue of Liberty"}, ""),
    ("make the Eiffel Tower twice as big", PARIS, {}, '{"scale": {"Eiffel Tower": 2.0}}'),
    ("in a circle and more space between them", PARIS, {}, '{"layout": "circle", "spacing": 1.5}'),
    ("make the Moulin Rouge blue", PARIS, {"Moulin Rouge": "blue Moulin Rouge"}, ""),
    ("call it Paris at night", PARIS, {}, ""),
])
def test_plans_reuse_every_object_the_edit_does_not_change(text, labels, to_make, hints):
    plan = plan_edit(_paris(), parse_edit(text))
    assert [o.label for o in plan.scene.objects] == labels
    assert plan.to_make == to_make
    assert hints_of(plan.scene) == hints
    unchanged = [o for o in plan.scene.objects if o.label not in to_make and o.label in PARIS]
    assert all(o.file.startswith("assets/call-") for o in unchanged)


def test_a_move_places_objects_in_the_given_order_from_where_they_stood():
    plan = plan_edit(_paris(), parse_edit("put the Louvre Pyramid at the entrance"))
    assert plan.scene.order == "given" and plan.scene.objects[0].label == "Louvre Pyramid"
    # the rest keep the builder's height order (shortest nearest the entrance)
    rest = [o.height_m for o in plan.scene.objects[1:]]
    assert rest == sorted(rest)


def test_resize_then_smaller_means_the_same_object():
    plan = plan_edit(_paris(), parse_edit("make the Eiffel Tower twice as big"))
    again = plan_edit(plan.scene, parse_edit("smaller"))
    assert {o.label: o.scale for o in again.scene.objects}["Eiffel Tower"] == pytest.approx(2 / 1.5, abs=1e-3)


@pytest.mark.parametrize(("text", "error", "phrase"), [
    ("remove everything", EditRefusedError, "leave the scene empty"),
    ("smaller", EditRefusedError, "which object 'it' is"),
    ("remove the Colosseum", UnknownObjectError, "no 'the Colosseum' in this scene"),
    ("bring them closer together", EditRefusedError, "already at its least"),
])
def test_edits_that_cannot_be_done_say_why(text, error, phrase):
    with pytest.raises(error, match=phrase):
        plan_edit(_paris(), parse_edit(text))


def test_history_lists_each_edit_under_the_run_it_changed():
    from ui.history import under_parents

    runs = [{"run_id": "e2", "parent_run_id": "e1"}, {"run_id": "b2", "parent_run_id": None},
            {"run_id": "e1", "parent_run_id": "b1"}, {"run_id": "b1", "parent_run_id": None},
            {"run_id": "x", "parent_run_id": "gone"}]  # newest first, as /history answers
    assert [(r["run_id"], depth) for r, depth in under_parents(runs)] == [
        ("b2", 0), ("b1", 0), ("e1", 1), ("e2", 2), ("x", 0)]
