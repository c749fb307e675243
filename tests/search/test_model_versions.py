"""Saved search model versions: old ones are deleted, never the active or the waiting one."""

from search.ml import trained
from search.ml.ranking import MatchHead


def test_old_versions_are_pruned_but_never_the_active_or_the_waiting_one():
    versions = []
    for _ in range(7):
        version = trained.new_version()
        trained.save(
            trained.SearchModel(
                version=version, encoder_version="e", head=MatchHead(8), photo_map=None
            )
        )
        versions.append(version)
    assert versions == sorted(set(versions))  # versions sort by age
    trained.activate(versions[0])  # an old one made active again, by hand
    trained.set_next(versions[1])  # waiting for its photo vectors

    assert trained.prune(keep=3) == [versions[3], versions[2]]
    kept = sorted(folder.name for folder in trained.models_dir().iterdir() if folder.is_dir())
    assert kept == [versions[0], versions[1], *versions[4:]]
    assert trained.load(versions[0]).version == versions[0]
    assert trained.prune(keep=3) == []
