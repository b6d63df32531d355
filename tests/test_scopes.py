import pandas as pd
import pytest

from crmreports.core.scopes import ParameterError, manager_slugs, resolve_manager, resolve_pipeline, slug

USERS = pd.DataFrame(
    {"id": [1, 2, 3], "name": ["Анна Иванова", "Борис Петров", "Анна Иванова"], "group_name": ["A", "A", "B"]}
)


@pytest.mark.parametrize(
    "name,expected",
    [
        ("Анна Иванова", "anna-ivanova"),
        ("Щукин Ёж", "shchukin-ezh"),
        ("../../etc/passwd", "etc-passwd"),
        ("a/b\\c", "a-b-c"),
        ("..", "item"),
        ("", "item"),
        ("O'Brien & Co.", "o-brien-co"),
    ],
)
@pytest.mark.reliability("R47")
def test_slug_is_safe(name, expected):
    s = slug(name)
    assert s == expected
    assert "/" not in s and "\\" not in s and ".." not in s


def test_namesakes_get_distinct_slugs():
    slugs = manager_slugs(USERS)
    assert slugs[1] == "anna-ivanova" and slugs[3] == "anna-ivanova-3"


def test_resolve_manager_by_name_slug_or_id():
    assert resolve_manager("борис петров", USERS).user_ids == (2,)
    assert resolve_manager("boris-petrov", USERS).user_ids == (2,)
    assert resolve_manager("", USERS).kind == "team"


@pytest.mark.reliability("R40")
def test_unknown_manager_lists_valid_names():
    with pytest.raises(ParameterError, match="unknown manager 'Вася'.*Борис Петров"):
        resolve_manager("Вася", USERS)


@pytest.mark.reliability("R40")
def test_unknown_pipeline_lists_valid():
    pipes = pd.DataFrame({"id": [10], "name": ["Продажи"]})
    assert resolve_pipeline("продажи", pipes) == ([10], "Продажи")
    with pytest.raises(ParameterError, match="valid: Продажи"):
        resolve_pipeline("Партнёры", pipes)
