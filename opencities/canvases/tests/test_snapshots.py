"""Snapshots of the ethics canvas and their comparison, with changes known in advance."""

import json
from datetime import date

import pytest

from opencities.canvases import snapshots
from opencities.canvases.models import Action, Contribution, EthicsCanvas
from opencities.maps.models import EcosystemMap, Exchange, Node
from opencities.projects.models import Project


@pytest.fixture
def canvas(workspace):
    project = Project.objects.create(workspace=workspace, title="Bins", challenge="Missed bins")
    return EthicsCanvas.for_project(project)


@pytest.fixture
def flow(canvas, actor, dataset):
    bin_map = EcosystemMap.objects.create(project=canvas.project, title="Waste data")
    source = Node.objects.create(map=bin_map, dataset=dataset)
    target = Node.objects.create(map=bin_map, actor=actor)
    return Exchange.objects.create(map=bin_map, source=source, target=target, dataset=dataset)


def section(canvas, key):
    return canvas.sections.get(key=key)


def test_a_snapshot_holds_every_section_in_order_and_survives_json(canvas, editor, dataset, flow):
    sources = section(canvas, "data_sources")
    sources.summary, sources.status, sources.checks = "Sensors", "complete", {"personal_data": "no"}
    sources.save()
    sources.datasets.add(dataset)
    section(canvas, "sharing").exchanges.add(flow)
    Contribution.objects.create(ethics_section=sources, text="GPS too", author=editor)
    Action.objects.create(
        canvas=canvas, description="Ask legal", owner_name="Ana", due=date(2030, 1, 2)
    )
    canvas.next_review = date(2030, 6, 1)
    snapshot = json.loads(json.dumps(snapshots.take(canvas)))

    assert [s["key"] for s in snapshot["sections"]][:3] == ["data_sources", "rights", "limitations"]
    assert len(snapshot["sections"]) == 15
    first = snapshot["sections"][0]
    assert (first["summary"], first["status"], first["checks"]) == (
        "Sensors",
        "complete",
        {"personal_data": "no"},
    )
    assert first["contributions"][0] | {"created": None} == {
        "id": first["contributions"][0]["id"],
        "text": "GPS too",
        "by": "eddie",
        "created": None,
    }
    assert first["datasets"] == [{"id": dataset.pk, "title": "Bus stops"}]
    sharing = next(s for s in snapshot["sections"] if s["key"] == "sharing")
    assert sharing["flows"] == [
        {"id": flow.pk, "label": "Bus stops → Transport Department: Bus stops"}
    ]
    assert snapshot["actions"][0] | {"id": 0} == {
        "id": 0,
        "description": "Ask legal",
        "owner": "Ana",
        "priority": "medium",
        "due": "2030-01-02",
        "status": "open",
    }
    assert snapshot["next_review"] == "2030-06-01"
    assert snapshots.completeness(snapshot) == (1, 15)


def test_comparing_finds_each_kind_of_change_and_nothing_else(canvas, editor, dataset, flow):
    sources = section(canvas, "data_sources")
    sources.summary = "Sensors on the trucks.\nCrews' reports."
    sources.save()
    sources.datasets.add(dataset)
    kept = Contribution.objects.create(ethics_section=sources, text="Keep me", author=editor)
    gone = Contribution.objects.create(ethics_section=sources, text="Drop me", author=editor)
    fixed = Contribution.objects.create(ethics_section=sources, text="Typo hre", author=editor)
    done = Action.objects.create(canvas=canvas, description="Ask legal")
    moved = Action.objects.create(canvas=canvas, description="Write notice", due=date(2030, 1, 1))
    dropped = Action.objects.create(canvas=canvas, description="Old idea")
    dropped_id = dropped.pk
    before = snapshots.take(canvas)

    sources.summary = "Sensors on the bin trucks.\nCrews' reports."
    sources.status = "for_review"
    sources.checks = {"personal_data": "yes"}
    sources.save()
    sources.datasets.remove(dataset)
    section(canvas, "sharing").exchanges.add(flow)
    gone.delete()
    fixed.text = "Typo here"
    fixed.save()
    Contribution.objects.create(ethics_section=section(canvas, "rights"), text="Open licence")
    done.status = "done"
    done.save()
    moved.due = date(2030, 2, 1)
    moved.save()
    dropped.delete()
    new_action = Action.objects.create(canvas=canvas, description="Publish notice")
    canvas.next_review = date(2031, 1, 1)
    after = snapshots.take(canvas)

    comparison = snapshots.compare(before, after)
    changed = {s.key: s for s in comparison.changed_sections}
    assert list(changed) == ["data_sources", "rights", "sharing"]
    assert len(comparison.unchanged_sections) == 12

    sources_change = changed["data_sources"]
    assert (sources_change.status.before, sources_change.status.after) == (
        "Not started",
        "For review",
    )
    assert [(c.what, c.before, c.after) for c in sources_change.checks] == [
        ("Is personal data involved?", "Not answered", "Yes")
    ]
    assert sources_change.summary == [
        ("same", "Sensors on the "),
        ("added", "bin "),
        ("same", "trucks.\nCrews' reports."),
    ]
    assert [c["text"] for c in sources_change.contributions_removed] == ["Drop me"]
    assert [c["text"] for c in sources_change.contributions_edited] == ["Typo here"]
    assert sources_change.contributions_edited[0]["diff"][-2:] == [
        ("removed", "hre"),
        ("added", "here"),
    ]
    assert sources_change.datasets_unlinked == ["Bus stops"]
    assert kept.pk not in [c["id"] for c in sources_change.contributions_added]
    assert [c["text"] for c in changed["rights"].contributions_added] == ["Open licence"]
    assert changed["rights"].status is None
    assert changed["sharing"].flows_linked == ["Bus stops → Transport Department: Bus stops"]

    actions = comparison.actions
    assert [a["id"] for a in actions.added] == [new_action.pk]
    assert [a["id"] for a in actions.closed] == [done.pk]
    assert [(a["id"], [(c.what, c.before, c.after) for c in cs]) for a, cs in actions.changed] == [
        (moved.pk, [("Due date", "2030-01-01", "2030-02-01")])
    ]
    assert [a["id"] for a in actions.removed] == [dropped_id]
    assert (comparison.next_review.before, comparison.next_review.after) == (
        "not set",
        "2031-01-01",
    )
    assert comparison.any


def test_the_same_snapshot_twice_shows_no_change(canvas):
    snapshot = snapshots.take(canvas)
    comparison = snapshots.compare(snapshot, snapshot)
    assert not comparison.any
    assert len(comparison.unchanged_sections) == 15


def test_a_section_missing_from_an_older_snapshot_counts_as_empty(canvas):
    after = snapshots.take(canvas)
    after["sections"][0]["summary"] = "New"
    before = {"version": 1, "sections": [], "actions": []}
    changed = snapshots.compare(before, after).changed_sections
    assert [s.key for s in changed] == ["data_sources"]
    assert changed[0].summary == [("added", "New")]


def test_word_diff_keeps_lines_and_spaces():
    assert snapshots.word_diff("one two\nthree", "one 2\nthree four") == [
        ("same", "one "),
        ("removed", "two"),
        ("added", "2"),
        ("same", "\nthree"),
        ("added", " four"),
    ]
    assert snapshots.word_diff("", "") == []


def test_recording_a_review_sets_the_next_date_first(canvas, editor):
    review = snapshots.record_review(
        canvas, user=editor, note="Before the pilot", next_review=date(2030, 3, 1)
    )
    canvas.refresh_from_db()
    assert canvas.next_review == date(2030, 3, 1)
    assert (review.taken_by, review.note) == (editor, "Before the pilot")
    assert review.snapshot["next_review"] == "2030-03-01"
    snapshots.record_review(canvas, user=editor)
    canvas.refresh_from_db()
    assert canvas.next_review == date(2030, 3, 1)  # no date given: the date stays
