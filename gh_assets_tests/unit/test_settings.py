"""Settings from the environment: embedded defaults, and one clear line for each wrong value."""

import re
from pathlib import Path

import pytest

from gh_assets.defs.resources import (
    ArchiveResource,
    CoiledConfig,
    DaskResource,
    GitHubResource,
    StorageResource,
    resources_from,
)
from gh_assets.settings import Settings, SettingsError, settings_table, variable, variables


def resources_from_env(env: dict[str, str]) -> dict:
    return resources_from(Settings.from_env(env))


def test_defaults_run_anywhere():
    resources = resources_from_env({})
    assert resources["archive"].base_url == "https://data.gharchive.org"
    assert resources["storage"].url == "data"
    assert (resources["dask"].mode, resources["dask"].coiled_threshold) == ("auto", 7)
    assert resources["archive"].unreadable_files == "fail"
    assert not resources["archive"].client().skip_unreadable


def test_settings_are_taken_from_the_environment():
    resources = resources_from_env(
        {
            "GH_ASSETS_SOURCE_URL": "http://127.0.0.1:8000",
            "GH_ASSETS_STORAGE": "s3://bucket/prefix",
            "GH_ASSETS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "GH_ASSETS_DASK_MODE": "address",
            "GH_ASSETS_DASK_ADDRESS": "tcp://10.0.0.5:8786",
            "GH_ASSETS_COILED_THRESHOLD": "30",
            "GH_ASSETS_UNREADABLE_FILES": "skip",
        }
    )
    assert resources["archive"].client().skip_unreadable
    assert resources["archive"].s3_endpoint_url == "http://127.0.0.1:9000"
    assert resources["storage"].s3_endpoint_url == "http://127.0.0.1:9000"
    assert resources["dask"].address == "tcp://10.0.0.5:8786"
    assert resources["dask"].coiled_threshold == 30


def test_a_teams_coiled_settings_are_taken_from_the_environment():
    coiled = resources_from_env(
        {
            "GH_ASSETS_COILED_WORKSPACE": "acme-team",
            "GH_ASSETS_COILED_ADAPTIVE": "false",
            "GH_ASSETS_COILED_MIN_WORKERS": "4",
            "GH_ASSETS_COILED_MAX_WORKERS": "100",
            "GH_ASSETS_COILED_WORKER_VM_TYPES": "m7g.xlarge, m6g.xlarge",
            "GH_ASSETS_COILED_SCHEDULER_VM_TYPES": "m7g.large",
            "GH_ASSETS_COILED_ARM": "true",
            "GH_ASSETS_COILED_REGION": "eu-west-1",
            "GH_ASSETS_COILED_SPOT_POLICY": "on-demand",
            "GH_ASSETS_COILED_SOFTWARE": "acme/gh-assets",
            "GH_ASSETS_COILED_WAIT_FOR_WORKERS": "0.5",
            "GH_ASSETS_COILED_WORKER_HOURLY_USD": "0.17",
        }
    )["dask"].coiled
    assert isinstance(coiled, CoiledConfig)
    assert coiled.model_dump(exclude_defaults=True) == {
        "workspace": "acme-team",
        "adaptive": False,
        "min_workers": 4,
        "max_workers": 100,
        "worker_vm_types": ["m7g.xlarge", "m6g.xlarge"],
        "scheduler_vm_types": ["m7g.large"],
        "arm": True,
        "region": "eu-west-1",
        "spot_policy": "on-demand",
        "software": "acme/gh-assets",
        "wait_for_workers": 0.5,
        "worker_hourly_usd": 0.17,
    }
    assert resources_from_env({})["dask"].coiled == CoiledConfig()


def test_github_settings_reach_its_resource_and_following_nothing_is_the_default():
    nothing = resources_from_env({})["github"].followed()
    assert not nothing and "acme/anything" not in nothing
    github = resources_from_env(
        {
            "GH_ASSETS_API_COMMITS_REPOS": "acme/*, Octocat/Hello-World",
            "GH_ASSETS_GITHUB_API_URL": "https://ghe.example.com/api/v3/",
            "GH_ASSETS_GITHUB_API_CONCURRENCY": "2",
            "GH_ASSETS_GITHUB_API_MAX_WAIT_SECONDS": "60",
        }
    )["github"]
    assert "acme/anything" in github.followed() and "octocat/hello-world" in github.followed()
    assert (github.api_url, github.concurrency, github.max_wait_seconds) == (
        "https://ghe.example.com/api/v3",
        2,
        60,
    )


@pytest.mark.parametrize(
    ("source", "reader"),
    [
        ("file:///data/gharchive", "FolderArchive"),
        ("s3://bucket/gharchive", "FolderArchive"),
        ("https://data.gharchive.org/", "HttpArchive"),
    ],
)
def test_an_archive_copy_can_be_a_folder_or_a_bucket(source, reader):
    archive = resources_from_env({"GH_ASSETS_SOURCE_URL": source})["archive"]
    assert type(archive.client()).__name__ == reader
    assert archive.client().base_url == source.rstrip("/")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"GH_ASSETS_SOURCE_URL": "ftp://mirror/x"},
            "GH_ASSETS_SOURCE_URL='ftp://mirror/x' is not an http",
        ),
        ({"GH_ASSETS_SOURCE_URL": "file://"}, "GH_ASSETS_SOURCE_URL='file://' is not"),
        ({"GH_ASSETS_SOURCE_URL": "s3:///x"}, "GH_ASSETS_SOURCE_URL='s3:///x' is not"),
        ({"GH_ASSETS_STORAGE": "nosuch://bucket"}, "GH_ASSETS_STORAGE='nosuch://bucket' cannot be"),
        ({"GH_ASSETS_DASK_MODE": "yarn"}, "GH_ASSETS_DASK_MODE='yarn': .*'auto', 'local'"),
        (
            {"GH_ASSETS_COILED_SPOT_POLICY": "cheap"},
            "GH_ASSETS_COILED_SPOT_POLICY='cheap': .*'on-demand', 'spot' or 'spot_with_fallback'",
        ),
        (
            {"GH_ASSETS_COILED_MAX_WORKERS": "0"},
            "GH_ASSETS_COILED_MAX_WORKERS='0': .*greater than or equal to 1",
        ),
        (
            {"GH_ASSETS_COILED_WAIT_FOR_WORKERS": "30%"},
            "GH_ASSETS_COILED_WAIT_FOR_WORKERS='30%': .*number",
        ),
        ({"GH_ASSETS_COILED_ARM": "graviton"}, "GH_ASSETS_COILED_ARM='graviton': .*boolean"),
        (
            {"GH_ASSETS_COILED_THRESHOLD": "0"},
            "GH_ASSETS_COILED_THRESHOLD='0': .*greater than or equal to 1",
        ),
        ({"GH_ASSETS_COILED_THRESHOLD": "ten"}, "GH_ASSETS_COILED_THRESHOLD='ten': .*integer"),
        (
            {"GH_ASSETS_MAX_PARTITIONS_PER_RUN": "-1"},
            "GH_ASSETS_MAX_PARTITIONS_PER_RUN='-1': .*greater than or equal to 1",
        ),
        (
            {"GH_ASSETS_SENSOR_FIRST_DAY": "1/2/2015"},
            "GH_ASSETS_SENSOR_FIRST_DAY='1/2/2015': .*date",
        ),
        (
            {"GH_ASSETS_SENSOR_FIRST_DAY": "2010-01-01"},
            "GH_ASSETS_SENSOR_FIRST_DAY='2010-01-01': the archive starts on 2011-02-12",
        ),
        (
            {"GH_ASSETS_UNREADABLE_FILES": "ignore"},
            "GH_ASSETS_UNREADABLE_FILES='ignore': .*'fail' or 'skip'",
        ),
        (
            {"GH_ASSETS_API_COMMITS_REPOS": "acme/*,octocat"},
            "GH_ASSETS_API_COMMITS_REPOS='acme/\\*,octocat': 'octocat' is not owner/name",
        ),
        (
            {"GH_ASSETS_GITHUB_API_URL": "api.github.com"},
            "GH_ASSETS_GITHUB_API_URL='api.github.com' is not an http\\(s\\) URL",
        ),
        (
            {"GH_ASSETS_GITHUB_API_CONCURRENCY": "0"},
            "GH_ASSETS_GITHUB_API_CONCURRENCY='0': .*greater than or equal to 1",
        ),
    ],
)
def test_a_wrong_value_is_one_clear_line(env, message):
    with pytest.raises(SettingsError, match=message) as raised:
        resources_from_env(env)
    assert "\n" not in str(raised.value)


def test_a_source_url_with_credentials_is_refused_in_a_line_without_them():
    with pytest.raises(SettingsError, match="holds credentials") as refused:
        Settings.from_env({"GH_ASSETS_SOURCE_URL": "https://me:s3cret@mirror.example.org/x"})
    assert str(refused.value).startswith("GH_ASSETS_SOURCE_URL='https://mirror.example.org/x'")
    assert "s3cret" not in str(refused.value)


def test_the_readme_configuration_table_is_the_settings_model():
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert settings_table() in readme


RESOURCES = (ArchiveResource, StorageResource, DaskResource, GitHubResource)
SETTINGS = {variable("_".join(path)): field for path, field in variables()}


def setting_named_by(description: str | None):
    """The setting whose variable a description names in parentheses, if one."""
    found = re.search(r"\((GH_ASSETS_[A-Z0-9_]+)\)", description or "")
    return SETTINGS.get(found[1]) if found else None


@pytest.mark.parametrize(
    ("resource", "name"),
    [
        (r, n)
        for r in RESOURCES
        for n, f in r.model_fields.items()
        if setting_named_by(f.description)
    ],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_a_resource_field_of_a_setting_is_declared_as_the_setting(resource, name):
    """Same type, default and constraints: a value the setting refuses, the resource refuses."""
    field = resource.model_fields[name]
    setting = setting_named_by(field.description)
    shape = ("annotation", "default", "metadata")
    assert [getattr(field, a) for a in shape] == [getattr(setting, a) for a in shape]
