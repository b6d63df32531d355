"""The audit pack (`crmreports audit`): the zip's contents, the manifest's checksums, an atomic write, and hostile
client names in file names. One real build runs the audit notebook on the hand-built fixture store (a pack of the
audit alone, HTML only, to keep it short)."""

import json
import zipfile
from pathlib import Path

import pytest

from crmreports import cli
from crmreports.cli.commands import audit as audit_cmd

HOSTILE = '../ООО «Ромашка»/..\\\'; DROP TABLE "x" <b>.zip ' + "Щ" * 300


def test_zip_members_and_manifest_checksums(tmp_path):
    pack = audit_cmd.AuditPack(
        members={"index.html": b"<html></html>", "reports/audit.pdf": b"%PDF-1.7 x", "findings/no_task.csv": b"a\n1\n"},
        parameters={"client": HOSTILE, "period": "2026-10", "lang": "ru"},
    )
    path = audit_cmd.write_zip(pack, tmp_path / "out" / "audit-2026-11-10.zip")
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["findings/no_task.csv", "index.html", "manifest.json", "reports/audit.pdf"]
        man = json.loads(z.read("manifest.json"))
    # sha256 of b"a\n1\n", worked out with `printf 'a\n1\n' | sha256sum`
    assert man["files"]["findings/no_task.csv"] == {
        "sha256": "309b0e45a73d3fc5325e2b6ed0a01ef8b9cde6b05a5633c1f893f970d52bfddc",
        "bytes": 4,
    }
    assert man["client"] == HOSTILE and audit_cmd.verify_zip(path) == []
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left behind
    # a tampered member is found
    tampered = tmp_path / "t.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tampered, "w") as dst:
        for n in src.namelist():
            dst.writestr(n, b"changed" if n == "reports/audit.pdf" else src.read(n))
    assert audit_cmd.verify_zip(tampered) == ["reports/audit.pdf"]


def test_sha256_is_the_standard_one():
    # sha256("abc") from FIPS 180-2, appendix B.1
    assert audit_cmd.sha256(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_a_failed_write_leaves_the_old_zip_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "audit-2026-11-10.zip"
    path.write_bytes(b"old")

    class Boom(audit_cmd.AuditPack):
        pass

    pack = Boom(members={"index.html": b"x"}, parameters={})
    monkeypatch.setattr(audit_cmd, "manifest", lambda p: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        audit_cmd.write_zip(pack, path)
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == [path.name]


def test_cover_escapes_the_client_and_the_brand():
    pack = audit_cmd.AuditPack(
        members={"findings/no_task.csv": b""},
        parameters={"client": "<script>alert(1)</script>", "period_label": "октябрь 2026", "lang": "ru"},
    )
    brand = {"name": "Иван <b>", "color": "red;}</style><script>"}
    page = audit_cmd.cover_html(pack, brand, [("Аудит CRM", "reports/audit", ["html", "pdf"])], {"score_overall": 79})
    assert "<script>" not in page and "&lt;script&gt;" in page and "Иван &lt;b&gt;" in page
    assert "#1e3a8a" in page  # a colour that is not one falls back to the default
    assert 'href="reports/audit.pdf"' in page and "79 / 100" in page and "#eab308" in page  # 79: yellow


@pytest.fixture
def project(tmp_path, monkeypatch, fixture_store):
    """A project folder with an accounts file naming the fixture store under a hostile client name, a pack of
    the audit alone and a brand with a logo."""
    (tmp_path / "params" / "packs").mkdir(parents=True)
    (tmp_path / "params" / "accounts.yaml").write_text(
        "accounts:\n  " + json.dumps(HOSTILE, ensure_ascii=False) + f":\n    store: {fixture_store}\n",
        encoding="utf-8",
    )
    (tmp_path / "params" / "packs" / "a.yaml").write_text(
        "reports: [audit]\nscopes: [team]\nformats: [html]\n", encoding="utf-8"
    )
    (tmp_path / "params" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    (tmp_path / "params" / "brand.yaml").write_text("name: Консультант\nlogo: params/logo.svg\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_audit_command_builds_the_pack_for_a_hostile_client_name(project, capsys):
    code = cli.main(
        ["--account", HOSTILE, "audit", "--period", "2026-10", "--pack", str(project / "params/packs/a.yaml")]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    zips = list((project / "reports").rglob("*.zip"))
    assert len(zips) == 1
    path = zips[0]
    # the folder is the client's slug: transliterated, [a-z0-9-], at most 60 characters, inside reports/
    folder = path.parent.relative_to(project / "reports")
    assert len(folder.parts) == 1 and folder.name.startswith("ooo-romashka-drop-table-x-b-zip-shch")
    assert len(folder.name) <= 60 and set(folder.name) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
    assert path.name == "audit-2026-11-10.zip"  # the fixture's data end
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        man = json.loads(z.read("manifest.json"))
        cover = z.read("index.html").decode()
    assert {"index.html", "manifest.json", "reports/audit.html", "brand/logo.svg", "findings/findings.csv"} <= names
    assert all(not n.startswith(("/", "..")) and ".." not in n.split("/") for n in names)
    assert audit_cmd.verify_zip(path) == []
    assert set(man["files"]) == names - {"manifest.json"}
    assert (man["client"], man["period"], man["store_synced_at"]) == (HOSTILE, "2026-10", "2026-11-10T00:00:00Z")
    assert man["software_version"] and man["failed"] == []
    assert "&lt;b&gt;" in cover and "<b>.zip" not in cover and "Консультант" in cover
    assert "октябрь 2026" in cover and "10.11.2026" in cover


def test_audit_of_an_unknown_period_or_pack_is_a_clear_error(project, capsys):
    assert cli.main(["--account", HOSTILE, "audit", "--period", "2026-13"]) == 2
    assert "2026-13" in capsys.readouterr().err
    assert cli.main(["--account", HOSTILE, "audit", "--period", "2026-10", "--pack", "nope"]) == 2
    assert "unknown pack 'nope'" in capsys.readouterr().err
    assert not list(Path(project / "reports").rglob("*.zip"))
